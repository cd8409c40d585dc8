using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// Checks <c>ProfileList</c> at start-up: names and slugs present and safe, slugs unique, at most one default per list,
/// every <c>KubespawnerOverride</c> key a setting this backend has (refused by its full key otherwise) with a value of
/// the right shape, and each profile with each choice a valid pod together with <c>Pod</c>.
/// </summary>
public static partial class ProfileListValidator
{
    /// <summary>Keys of <c>user_options</c> the Outpost or the outpostspawner read themselves; an option may not take them.</summary>
    public static readonly IReadOnlySet<string> ReservedUserOptions =
        new HashSet<string>(["profile", "flavor", "start_id", "system", "name"], StringComparer.Ordinal);

    /// <summary>Settings a profile may not set: the hub says whether it runs internal_ssl, not a profile.</summary>
    private static readonly IReadOnlySet<string> NotOverridable = new HashSet<string>(["internal_ssl"], StringComparer.Ordinal);

    public static void Validate(KubernetesBackendOptions options, string prefix, List<string> errors)
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ProfileList.Count; i++)
        {
            var profile = options.ProfileList[i];
            var at = $"{prefix}:ProfileList:{i}";
            if (string.IsNullOrWhiteSpace(profile.DisplayName))
            {
                errors.Add($"{at}:DisplayName is required.");
            }
            if (string.IsNullOrEmpty(profile.Slug) || !Slug().IsMatch(profile.Slug))
            {
                errors.Add($"{at}:Slug '{profile.Slug}' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }
            else if (!slugs.Add(profile.Slug))
            {
                errors.Add($"{at}:Slug '{profile.Slug}' is used by an earlier profile; slugs must be unique.");
            }
            else if (options.Profiles.ContainsKey(profile.Slug))
            {
                errors.Add($"{at}:Slug '{profile.Slug}' is also a key of {prefix}:Profiles; a start could not tell which is meant.");
            }
            foreach (var (pattern, j) in (profile.Hubs ?? []).Select((p, j) => (p, j)).Where(x => string.IsNullOrWhiteSpace(x.p)))
            {
                errors.Add($"{at}:Hubs:{j} is empty.");
            }
            var profileOverrides = Overrides(profile.KubespawnerOverride, $"{at}:KubespawnerOverride", errors);
            CheckMerged(options.Pod, [profileOverrides], $"{at}:KubespawnerOverride", errors);
            foreach (var (key, option) in profile.ProfileOptions ?? [])
            {
                ValidateOption(options.Pod, profileOverrides, key, option, $"{at}:ProfileOptions:{key}", errors);
            }
        }
        var defaults = options.ProfileList.Select((p, i) => (p, i)).Where(x => x.p.Default).Select(x => x.i).ToList();
        if (defaults.Count > 1)
        {
            errors.Add($"{prefix}:ProfileList: profiles {string.Join(", ", defaults)} are all marked Default; mark one.");
        }
    }

    private static void ValidateOption(KubernetesPodOptions pod, JsonObject profileOverrides, string key, KubernetesProfileOption option, string at, List<string> errors)
    {
        if (!OptionKey().IsMatch(key) || key.EndsWith(ProfileSelection.UnlistedSuffix, StringComparison.Ordinal) || ReservedUserOptions.Contains(key))
        {
            errors.Add($"{at}: the option key '{key}' must be 1-63 letters, digits, '_' or '-', and not one of {string.Join(", ", ReservedUserOptions)} (the start request carries it as user_options.{key}).");
        }
        if (string.IsNullOrWhiteSpace(option.DisplayName))
        {
            errors.Add($"{at}:DisplayName is required.");
        }
        var choices = option.Choices ?? [];
        if (choices.Count == 0 && option.UnlistedChoice is not { Enabled: true })
        {
            errors.Add($"{at}:Choices needs at least one choice (or an enabled UnlistedChoice).");
        }
        if (choices.Count(c => c.Value.Default) > 1)
        {
            errors.Add($"{at}:Choices: {string.Join(", ", choices.Where(c => c.Value.Default).Select(c => c.Key))} are all marked Default; mark one.");
        }
        foreach (var (choiceKey, choice) in choices)
        {
            var choiceAt = $"{at}:Choices:{choiceKey}";
            if (!OptionKey().IsMatch(choiceKey) || choiceKey == ProfileSelection.UnlistedChoice)
            {
                errors.Add($"{choiceAt}: the choice key '{choiceKey}' must be 1-63 letters, digits, '_' or '-', and not '{ProfileSelection.UnlistedChoice}'.");
            }
            if (string.IsNullOrWhiteSpace(choice.DisplayName))
            {
                errors.Add($"{choiceAt}:DisplayName is required.");
            }
            var overrides = Overrides(choice.KubespawnerOverride, $"{choiceAt}:KubespawnerOverride", errors);
            CheckMerged(pod, [profileOverrides, overrides], $"{choiceAt}:KubespawnerOverride", errors);
        }
        if (option.UnlistedChoice is { Enabled: true } unlisted)
        {
            var unlistedAt = $"{at}:UnlistedChoice";
            if (string.IsNullOrEmpty(unlisted.ValidationRegex))
            {
                errors.Add($"{unlistedAt}:ValidationRegex is required when the unlisted choice is enabled: the typed text becomes a pod setting.");
            }
            else
            {
                try
                {
                    _ = new Regex(unlisted.ValidationRegex);
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{unlistedAt}:ValidationRegex is not a regular expression: {e.Message}");
                }
            }
            if (unlisted.KubespawnerOverride is not { Count: > 0 })
            {
                errors.Add($"{unlistedAt}:KubespawnerOverride is required when the unlisted choice is enabled (e.g. {{image: \"{{value}}\"}}).");
            }
            else
            {
                // Checked with placeholder texts, a word and a number (a size or quantity takes only the second): keys
                // and shapes now, the typed value again at each start.
                var asWord = new List<string>();
                var asNumber = new List<string>();
                Overrides((JsonObject)ProfileSelection.Substitute(unlisted.KubespawnerOverride, "x"), $"{unlistedAt}:KubespawnerOverride", asWord);
                Overrides((JsonObject)ProfileSelection.Substitute(unlisted.KubespawnerOverride, "1"), $"{unlistedAt}:KubespawnerOverride", asNumber);
                errors.AddRange(asWord.Count <= asNumber.Count ? asWord : asNumber);
            }
        }
    }

    private static JsonObject Overrides(JsonObject? overrides, string at, List<string> errors)
    {
        if (overrides is null)
        {
            return [];
        }
        foreach (var key in overrides.Select(p => p.Key).Where(NotOverridable.Contains))
        {
            errors.Add($"{at}:{key} cannot be set by a profile (the hub sends it).");
        }
        var allowed = PodSettingsResolver.Elements(overrides).Where(p => !NotOverridable.Contains(p.Key));
        return PodSettingsResolver.ParseOverrides(allowed, key => $"{at}:{key}", errors);
    }

    private static void CheckMerged(KubernetesPodOptions pod, JsonObject[] patches, string at, List<string> errors)
    {
        var merged = JsonSerializer.SerializeToNode(pod, Client.KubeJson.Info<KubernetesPodOptions>())!;
        foreach (var patch in patches)
        {
            merged = KubernetesPodOptions.MergeNodes(merged, patch);
        }
        var resolved = merged.Deserialize(Client.KubeJson.Info<KubernetesPodOptions>())!;
        KubernetesPodOptionsValidator.ValidateResolved(resolved, p => $"{at}:{PodSettingsResolver.MiscKey(p)} (merged with Pod)", errors);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex Slug();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex OptionKey();
}
