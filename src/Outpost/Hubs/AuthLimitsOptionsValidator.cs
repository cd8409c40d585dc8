using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

/// <summary>Checks <c>Outpost:AuthLimits</c> at start-up, naming each bad key.</summary>
public sealed class AuthLimitsOptionsValidator : IValidateOptions<AuthLimitsOptions>
{
    public const string SectionPath = "Outpost:AuthLimits";

    public ValidateOptionsResult Validate(string? name, AuthLimitsOptions options)
    {
        var errors = new List<string>();
        Hosting.OptionRange.Check(errors, $"{SectionPath}:FailuresPerMinutePerAddress", options.FailuresPerMinutePerAddress, 1, 100_000);
        Hosting.OptionRange.Check(errors, $"{SectionPath}:FailuresPerMinutePerHub", options.FailuresPerMinutePerHub, 1, 100_000);
        Hosting.OptionRange.Check(errors, $"{SectionPath}:ConcurrentHashVerifications", options.ConcurrentHashVerifications, 1, 64);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
