namespace Outpost.Backends.SshHosts;

/// <summary>One remote host, an item of <c>Outpost:Backends:SshHosts:Hosts</c>.</summary>
public sealed class SshHostOptions
{
    /// <summary>Name used in progress events, logs and handles. Required, unique.</summary>
    public string Name { get; set; } = "";

    /// <summary>Host name or IP address sshd listens on. Required.</summary>
    public string Address { get; set; } = "";

    /// <summary>sshd's port. Default 22.</summary>
    public int Port { get; set; } = 22;

    /// <summary>known_hosts file holding this host's key (host keys are always checked). Required.</summary>
    public string KnownHostsFile { get; set; } = "";

    /// <summary>Account rule for this host, replacing the backend's <see cref="SshHostsBackendOptions.User"/>.</summary>
    public string? User { get; set; }

    /// <summary>Private key for this host, replacing the backend's <see cref="SshHostsBackendOptions.KeyFile"/>.</summary>
    public string? KeyFile { get; set; }
}
