namespace Outpost.Checks;

/// <summary>How bad one finding of <c>outpost check</c> is; the command's exit code is the worst one's value.</summary>
public enum CheckSeverity
{
    /// <summary>Works as configured. Exit code 0.</summary>
    Ok = 0,

    /// <summary>Works, but something is likely to bite later, or could not be checked from here. Exit code 1.</summary>
    Warn = 1,

    /// <summary>Does not work: starts or polls that need it will fail. Exit code 2.</summary>
    Fail = 2,
}
