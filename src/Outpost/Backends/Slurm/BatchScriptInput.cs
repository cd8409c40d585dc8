namespace Outpost.Backends.Slurm;

/// <summary>Everything <see cref="BatchScript"/> needs; every value here is already checked.</summary>
public sealed record BatchScriptInput
{
    /// <summary>The template with <c>{{placeholders}}</c>.</summary>
    public string Template { get; init; } = BatchScript.DefaultTemplate;

    /// <summary>The job's name (<c>--job-name</c>).</summary>
    public required string JobName { get; init; }

    /// <summary>Absolute directory the job runs in (<c>--chdir</c>).</summary>
    public required string JobDirectory { get; init; }

    /// <summary>Absolute path of the job's output file (<c>--output</c>); may contain Slurm's <c>%j</c>.</summary>
    public required string OutputFile { get; init; }

    /// <summary>Names of the variables the job receives from sbatch's environment (<c>--export</c>).</summary>
    public IReadOnlyList<string> ExportNames { get; init; } = [];

    /// <summary>The resources to ask for.</summary>
    public SlurmJobResources Resources { get; init; } = new();

    /// <summary>Administrator's extra options, one per line, without <c>#SBATCH</c>.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    /// <summary>The server command and its arguments; each word is quoted for the shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Administrator's shell lines before the command.</summary>
    public string Prologue { get; init; } = "";

    /// <summary>Administrator's shell lines after the command.</summary>
    public string Epilogue { get; init; } = "";

    /// <summary>Whether the job writes the internal_ssl certificates from its environment (<see cref="BatchScript.SslSetup"/>).</summary>
    public bool InternalSsl { get; init; }

    /// <summary>Whether the job reports its address to the hub itself (delayed tunnelling).</summary>
    public bool DelayedTunnel { get; init; }

    /// <summary>Interpreter for that report.</summary>
    public string Python { get; init; } = "/usr/bin/python3";
}
