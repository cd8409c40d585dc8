namespace Outpost.Backends.Batch;

/// <summary>What every batch script holds, whatever the scheduler; every value here is already checked.</summary>
public sealed record JobScriptInput
{
    /// <summary>The template with <c>{{placeholders}}</c>.</summary>
    public required string Template { get; init; }

    /// <summary>The job's name.</summary>
    public required string JobName { get; init; }

    /// <summary>Absolute directory the job runs in.</summary>
    public required string JobDirectory { get; init; }

    /// <summary>Absolute path of the job's output file; may contain the scheduler's job id pattern.</summary>
    public required string OutputFile { get; init; }

    /// <summary>Names of the variables the job receives from the submit command's environment.</summary>
    public IReadOnlyList<string> ExportNames { get; init; } = [];

    /// <summary>The server command and its arguments; each word is quoted for the shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Administrator's shell lines before the command.</summary>
    public string Prologue { get; init; } = "";

    /// <summary>Administrator's shell lines after the command.</summary>
    public string Epilogue { get; init; } = "";

    /// <summary>Whether the job writes the internal_ssl certificates from its environment (<see cref="JobScript.SslSetup"/>).</summary>
    public bool InternalSsl { get; init; }

    /// <summary>Whether the job reports its address to the hub itself (delayed tunnelling).</summary>
    public bool DelayedTunnel { get; init; }

    /// <summary>Interpreter for that report.</summary>
    public string Python { get; init; } = "/usr/bin/python3";
}
