using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Hubs;

namespace Outpost.Status;

/// <summary>Checks <c>Outpost:StatusPage</c> at start-up, naming each bad key.</summary>
public sealed class StatusPageOptionsValidator(IOptions<HubsOptions> hubs) : IValidateOptions<StatusPageOptions>
{
    public const string SectionPath = "Outpost:StatusPage";

    public ValidateOptionsResult Validate(string? name, StatusPageOptions options)
    {
        var errors = new List<string>();
        if (options.IsEnabled && !Hubs.PasswordHash.IsWellFormed(options.PasswordHash!))
        {
            errors.Add($"{SectionPath}:PasswordHash is not a pbkdf2-sha256 hash made by 'outpost hub hash-password'.");
        }
        if (string.IsNullOrWhiteSpace(options.UserName) || options.UserName.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{SectionPath}:UserName must be a non-empty name without ':' (HTTP Basic ends the name at the first ':').");
        }
        else if (options.IsEnabled && HubNames(hubs).Any(hub => string.Equals(hub, options.UserName, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{SectionPath}:UserName '{options.UserName}' is also a hub's name; choose another, so the admin is never mistaken for a hub.");
        }
        OptionRange.Check(errors, $"{SectionPath}:RecentFailures", options.RecentFailures, 1, 1000);
        OptionRange.Check(errors, $"{SectionPath}:MaxServersListed", options.MaxServersListed, 0, 100_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The configured hubs' names; none when the hubs' own options are invalid (their validator reports that, once).</summary>
    private static IEnumerable<string> HubNames(IOptions<HubsOptions> hubs)
    {
        try
        {
            return hubs.Value.Hubs.Keys;
        }
        catch (OptionsValidationException)
        {
            return [];
        }
    }
}
