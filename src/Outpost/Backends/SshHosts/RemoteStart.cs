namespace Outpost.Backends.SshHosts;

/// <summary>What the remote start script needs (see <see cref="RemoteScripts.Start"/>).</summary>
public sealed record RemoteStart
{
    /// <summary>Configured folder of the server folders (relative to the home unless absolute).</summary>
    public required string RemoteDirectory { get; init; }

    /// <summary>The server folder's name: the start's resource name.</summary>
    public required string ResourceName { get; init; }

    /// <summary>Ports to try in this order; the first one nothing listens on is used.</summary>
    public required IReadOnlyList<int> PortCandidates { get; init; }

    /// <summary>The server's environment (names must be shell variable names).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Variables whose value is a file in the server folder (certificate paths).</summary>
    public IReadOnlyDictionary<string, string> FileEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Files to write into the server folder (relative path → content), mode 0600.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files { get; init; } = [];

    /// <summary>JUPYTERHUB_SERVICE_URL without its port, which the remote host picks.</summary>
    public required RemoteServiceUrl ServiceUrl { get; init; }

    /// <summary>The server's command and arguments.</summary>
    public required IReadOnlyList<string> Command { get; init; }
}

/// <summary>The parts of the server's URL around the port the remote host chooses.</summary>
public sealed record RemoteServiceUrl(string Scheme, string Host, string Path);
