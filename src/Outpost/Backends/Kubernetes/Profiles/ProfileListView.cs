using System.Text.Json.Nodes;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// The profile list as a hub's form reads it: KubeSpawner's keys in snake_case, no <c>kubespawner_override</c>, and
/// <c>default</c> true on the entry (and choice) a start gets when it names none.
/// </summary>
public static class ProfileListView
{
    public static JsonObject Render(IReadOnlyList<KubernetesProfile> profiles)
    {
        var list = new JsonArray();
        var defaultProfile = ProfileSelection.DefaultOf(profiles);
        foreach (var profile in profiles)
        {
            var entry = new JsonObject
            {
                ["slug"] = profile.Slug,
                ["display_name"] = profile.DisplayName,
                ["description"] = profile.Description ?? "",
                ["default"] = ReferenceEquals(profile, defaultProfile),
            };
            var options = new JsonObject();
            foreach (var (key, option) in profile.ProfileOptions ?? [])
            {
                options[key] = Option(option);
            }
            entry["profile_options"] = options;
            list.Add((JsonNode)entry);
        }
        return new JsonObject { ["profile_list"] = list };
    }

    private static JsonObject Option(KubernetesProfileOption option)
    {
        var defaultChoice = ProfileSelection.DefaultChoiceOf(option);
        var choices = new JsonObject();
        foreach (var (key, choice) in option.Choices ?? [])
        {
            choices[key] = new JsonObject { ["display_name"] = choice.DisplayName, ["default"] = key == defaultChoice };
        }
        var result = new JsonObject { ["display_name"] = option.DisplayName, ["choices"] = choices };
        if (option.UnlistedChoice is { Enabled: true } unlisted)
        {
            result["unlisted_choice"] = new JsonObject
            {
                ["enabled"] = true,
                ["display_name"] = unlisted.DisplayName ?? "Other",
                ["validation_regex"] = unlisted.ValidationRegex,
                ["validation_message"] = unlisted.ValidationMessage ?? "",
            };
        }
        return result;
    }
}
