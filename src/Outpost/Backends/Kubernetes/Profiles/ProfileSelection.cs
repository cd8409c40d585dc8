using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Outpost.Flavors;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// Which entry of the profile list a start selects and which overrides it brings, as KubeSpawner's
/// <c>load_user_options</c>: <c>user_options.profile</c> names the slug (none: the default profile), and each of the
/// profile's options is read from <c>user_options.&lt;option&gt;</c> (none: the option's default choice).
/// </summary>
public static class ProfileSelection
{
    /// <summary>The value of <c>user_options.&lt;option&gt;</c> that selects the typed text, as KubeSpawner's form sends it.</summary>
    public const string UnlistedChoice = "unlisted_choice";

    /// <summary>Suffix of the <c>user_options</c> key that carries the typed text.</summary>
    public const string UnlistedSuffix = "--unlisted-choice";

    /// <summary>Longest typed text accepted; a pod setting is never this long in earnest.</summary>
    public const int MaxUnlistedLength = 1024;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The profiles <paramref name="hub"/> may see and use, in the configured order (null hub: all).</summary>
    public static IEnumerable<KubernetesProfile> VisibleTo(IEnumerable<KubernetesProfile> profiles, string? hub) =>
        profiles.Where(p => hub is null || p.Hubs is null || p.Hubs.Any(pattern => NamePattern.Pattern(pattern).Matches(hub)));

    /// <summary>The profile used when a start names none: the one marked default, else the first.</summary>
    public static KubernetesProfile? DefaultOf(IReadOnlyList<KubernetesProfile> profiles) =>
        profiles.FirstOrDefault(p => p.Default) ?? profiles.FirstOrDefault();

    /// <summary>The choice used when a start names none: the one marked default, else the first.</summary>
    public static string? DefaultChoiceOf(KubernetesProfileOption option) =>
        option.Choices?.FirstOrDefault(c => c.Value.Default).Key ?? option.Choices?.Keys.FirstOrDefault();

    /// <summary>
    /// The overrides to lay over <c>Pod</c> in order, each with a name for errors; null when the start does not use the
    /// profile list (no list for this hub, or <c>user_options.profile</c> names an entry of <c>Profiles</c>).
    /// </summary>
    public static IReadOnlyList<(JsonObject Overrides, string Source)>? Select(KubernetesBackendOptions options, ServerSpec spec, string? hub)
    {
        var visible = VisibleTo(options.ProfileList, hub).ToList();
        KubernetesProfile? profile;
        if (string.IsNullOrEmpty(spec.Profile))
        {
            profile = DefaultOf(visible);
        }
        else
        {
            profile = visible.FirstOrDefault(p => p.Slug == spec.Profile);
            if (profile is null && options.ProfileList.Count > 0 && !options.Profiles.ContainsKey(spec.Profile))
            {
                var known = visible.Count == 0 ? "none" : string.Join(", ", visible.Select(p => p.Slug));
                throw Field(["user_options", "profile"], $"'{Shorten(spec.Profile)}' is not a profile this hub may use (profiles: {known}).");
            }
        }
        if (profile is null)
        {
            return null;
        }

        var selected = new List<(JsonObject, string)>();
        if (profile.KubespawnerOverride is { } own)
        {
            selected.Add((own, $"ProfileList[{profile.Slug}].kubespawner_override"));
        }
        var errors = new List<FieldError>();
        foreach (var (key, option) in profile.ProfileOptions ?? [])
        {
            if (Choose(profile, key, option, spec.UserOptions, errors) is { } chosen)
            {
                selected.Add(chosen);
            }
        }
        if (errors.Count > 0)
        {
            throw new BackendFieldException(errors);
        }
        return selected;
    }

    private static (JsonObject, string)? Choose(
        KubernetesProfile profile, string key, KubernetesProfileOption option, IReadOnlyDictionary<string, JsonElement> userOptions, List<FieldError> errors)
    {
        string? chosen;
        if (!userOptions.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null || value is { ValueKind: JsonValueKind.String } && value.GetString() == "")
        {
            chosen = DefaultChoiceOf(option);
            if (chosen is null)
            {
                errors.Add(Error(["user_options", key], $"is required: profile '{profile.Slug}' has no listed choice for it, so type a value in user_options.{key}{UnlistedSuffix} and set this to \"{UnlistedChoice}\"."));
                return null;
            }
        }
        else if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(Error(["user_options", key], "must be a string (the key of a choice)."));
            return null;
        }
        else
        {
            chosen = value.GetString()!;
        }

        if (chosen == UnlistedChoice && option.UnlistedChoice is { Enabled: true } unlisted)
        {
            return Unlisted(key, unlisted, userOptions, errors);
        }
        if (option.Choices is { } choices && choices.TryGetValue(chosen, out var choice))
        {
            return choice.KubespawnerOverride is { } overrides
                ? (overrides, $"ProfileList[{profile.Slug}].profile_options.{key}.choices.{chosen}.kubespawner_override")
                : null;
        }
        var known = string.Join(", ", (option.Choices?.Keys ?? Enumerable.Empty<string>())
            .Concat(option.UnlistedChoice is { Enabled: true } ? [UnlistedChoice] : []));
        errors.Add(Error(["user_options", key], $"'{Shorten(chosen)}' is not a choice of '{key}' in profile '{profile.Slug}' (choices: {(known.Length == 0 ? "none" : known)})."));
        return null;
    }

    private static (JsonObject, string)? Unlisted(
        string key, KubernetesUnlistedChoice unlisted, IReadOnlyDictionary<string, JsonElement> userOptions, List<FieldError> errors)
    {
        var field = key + UnlistedSuffix;
        if (!userOptions.TryGetValue(field, out var typed) || typed.ValueKind != JsonValueKind.String)
        {
            errors.Add(Error(["user_options", field], $"must be a string when user_options.{key} is \"{UnlistedChoice}\"."));
            return null;
        }
        var text = typed.GetString()!;
        if (text.Length is 0 or > MaxUnlistedLength || !Matches(unlisted.ValidationRegex!, text))
        {
            errors.Add(Error(["user_options", field], unlisted.ValidationMessage is { Length: > 0 } message
                ? $"{message} (got '{Shorten(text)}')."
                : $"'{Shorten(text)}' does not match {unlisted.ValidationRegex}."));
            return null;
        }
        var overrides = (JsonObject)Substitute(unlisted.KubespawnerOverride!, text);
        // The text may match the expression and still not fit the setting it lands in (a size, a quantity).
        var problems = new List<string>();
        PodSettingsResolver.ParseOverrides(PodSettingsResolver.Elements(overrides), setting => setting, problems);
        if (problems.Count > 0)
        {
            errors.Add(Error(["user_options", field], $"'{Shorten(text)}' does not fit: {string.Join(" ", problems)}"));
            return null;
        }
        return (overrides, $"user_options.{field}");
    }

    /// <summary>Whether the whole text matches; an expression that runs too long counts as no match.</summary>
    public static bool Matches(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, $@"\A(?:{pattern})\z", RegexOptions.None, RegexTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>A copy with "{value}" replaced by the typed text in every string, at any depth (KubeSpawner formats strings only).</summary>
    public static JsonNode Substitute(JsonNode node, string text) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Substitute(p.Value, text)))),
        JsonArray a => new JsonArray(a.Select(i => i is null ? null : Substitute(i, text)).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(v.GetValue<string>().Replace("{value}", text, StringComparison.Ordinal)),
        _ => node.DeepClone(),
    };

    private static BackendFieldException Field(string[] loc, string message) => new([Error(loc, message)]);

    private static FieldError Error(string[] loc, string message) => new("value_error", ["body", .. loc], message);

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
