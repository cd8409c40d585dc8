using Microsoft.Extensions.Options;

namespace Outpost.Announcements;

/// <summary>Checks <c>Outpost:SshdAnnouncements</c> at start-up, naming each bad key.</summary>
public sealed class SshdAnnouncementOptionsValidator : IValidateOptions<SshdAnnouncementOptions>
{
    private const string Section = "Outpost:SshdAnnouncements";

    public ValidateOptionsResult Validate(string? name, SshdAnnouncementOptions options)
    {
        var errors = new List<string>();
        Hosting.OptionRange.Check(errors, $"{Section}:CheckSeconds", options.CheckSeconds, 1, 3600);
        if (options.SshdPidFile is { } file && (file.Length == 0 || !Path.IsPathFullyQualified(file)))
        {
            errors.Add($"{Section}:SshdPidFile must be an absolute path.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
