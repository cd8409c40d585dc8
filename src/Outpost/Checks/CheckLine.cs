namespace Outpost.Checks;

/// <summary>
/// One finding of <c>outpost check</c>: what was checked (<paramref name="Subject"/>, e.g. "Storage" or
/// "Backend Slurm"), what was found, and for a warning or failure what to do about it.
/// </summary>
public sealed record CheckLine(CheckSeverity Severity, string Subject, string What, string? Fix = null)
{
    public static CheckLine Ok(string subject, string what) => new(CheckSeverity.Ok, subject, what);

    public static CheckLine Warn(string subject, string what, string fix) => new(CheckSeverity.Warn, subject, what, fix);

    public static CheckLine Fail(string subject, string what, string fix) => new(CheckSeverity.Fail, subject, what, fix);

    /// <summary>
    /// As printed: <c>ok    Subject: what</c>, and for a warning or failure a second line <c>      fix: …</c>.
    /// The severity is padded so subjects line up.
    /// </summary>
    public override string ToString()
    {
        var word = Severity switch
        {
            CheckSeverity.Ok => "ok",
            CheckSeverity.Warn => "warn",
            _ => "fail",
        };
        var line = $"{word,-6}{Subject}: {What}";
        return Fix is null || Severity == CheckSeverity.Ok ? line : $"{line}\n      fix: {Fix}";
    }
}
