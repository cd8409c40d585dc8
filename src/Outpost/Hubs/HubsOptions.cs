using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

/// <summary>All hubs from configuration (<c>Outpost:Hubs</c>), keyed by hub name.</summary>
public sealed class HubsOptions
{
    public Dictionary<string, HubOptions> Hubs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Hub names written differently in the configuration sources that configuration merges into one entry (see
    /// <see cref="HubNames"/>); not configurable, filled in when the options are read, refused by the validator.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> NameCollisions { get; set; } = [];
}

/// <summary>Validates every hub entry and names the offending key.</summary>
public sealed partial class HubsOptionsValidator : IValidateOptions<HubsOptions>
{
    /// <summary>Clear-text passwords shorter than this are refused.</summary>
    public const int MinimumPasswordLength = 8;

    public ValidateOptionsResult Validate(string? name, HubsOptions options)
    {
        var errors = new List<string>();
        foreach (var names in options.NameCollisions)
        {
            errors.Add($"{string.Join(", ", names.Select(n => $"{HubNames.SectionPath}:{n}"))}: hub names that differ only in case (or Unicode form) "
                + "are one key to the configuration, which would merge them into one hub; rename all but one.");
        }
        foreach (var (hub, hubOptions) in options.Hubs)
        {
            var key = $"Outpost:Hubs:{hub}";
            if (!HubName().IsMatch(hub))
            {
                errors.Add($"{key}: hub names are 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }
            var hasPassword = !string.IsNullOrEmpty(hubOptions.Password);
            var hasHash = !string.IsNullOrEmpty(hubOptions.PasswordHash);
            if (hasPassword == hasHash)
            {
                errors.Add($"{key}: set exactly one of Password and PasswordHash.");
            }
            if (hasPassword && hubOptions.Password!.Length < MinimumPasswordLength)
            {
                errors.Add($"{key}:Password is shorter than {MinimumPasswordLength} characters.");
            }
            if (hasHash && !PasswordHash.IsWellFormed(hubOptions.PasswordHash!))
            {
                errors.Add($"{key}:PasswordHash is not a pbkdf2-sha256 hash made by 'outpost hub hash-password'.");
            }
            foreach (var envKey in hubOptions.AllowedEnv)
            {
                if (Servers.EnvPolicy.IsForbidden(envKey))
                {
                    errors.Add($"{key}:AllowedEnv: '{envKey}' changes how programs load or run and is never passed from a hub.");
                }
            }
            foreach (var (section, rules) in new[] { ("Misc", hubOptions.Misc), ("UserOptions", hubOptions.UserOptions) })
            {
                foreach (var (ruleKey, rule) in rules.Where(r => r.Value.Pattern is { } p && !ValueRule.IsValidPattern(p)))
                {
                    errors.Add($"{key}:{section}:{ruleKey}:Pattern is not a valid regular expression.");
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    internal static partial Regex HubName();
}
