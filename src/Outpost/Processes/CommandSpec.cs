namespace Outpost.Processes;

/// <summary>
/// One external command, described as an argument list: no shell ever parses it, so values from
/// requests can appear in <see cref="Arguments"/> without quoting concerns.
/// </summary>
public sealed record CommandSpec
{
    /// <summary>Executable path or name looked up on PATH.</summary>
    public required string FileName { get; init; }

    /// <summary>Arguments, passed as they are.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Variables to set (a null value removes one) on top of the Outpost's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Text written to standard input, then closed; null for no input.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Working directory; null for the Outpost's own.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>After this the command is killed and <see cref="TimeoutException"/> thrown. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For logs: the command line with arguments, never the environment or stdin.</summary>
    public override string ToString() => string.Join(' ', [FileName, .. Arguments]);
}

/// <summary>The result of a finished command.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
