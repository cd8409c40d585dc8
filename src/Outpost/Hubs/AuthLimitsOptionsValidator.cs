using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

/// <summary>Checks <c>Outpost:AuthLimits</c> at start-up, naming each bad key.</summary>
public sealed class AuthLimitsOptionsValidator : IValidateOptions<AuthLimitsOptions>
{
    public const string SectionPath = "Outpost:AuthLimits";

    public ValidateOptionsResult Validate(string? name, AuthLimitsOptions options)
    {
        var errors = new List<string>();
        if (options.FailuresPerMinutePerAddress is < 1 or > 100_000)
        {
            errors.Add($"{SectionPath}:FailuresPerMinutePerAddress must be between 1 and 100000 (got {options.FailuresPerMinutePerAddress}).");
        }
        if (options.FailuresPerMinutePerHub is < 1 or > 100_000)
        {
            errors.Add($"{SectionPath}:FailuresPerMinutePerHub must be between 1 and 100000 (got {options.FailuresPerMinutePerHub}).");
        }
        if (options.ConcurrentHashVerifications is < 1 or > 64)
        {
            errors.Add($"{SectionPath}:ConcurrentHashVerifications must be between 1 and 64 (got {options.ConcurrentHashVerifications}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
