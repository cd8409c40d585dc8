using System.Text.Json;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>
/// Decides whether a start may use its flavor, and with which limits. The counting itself happens
/// in the store's insert transaction, so the decision and the insert cannot be raced.
/// </summary>
public sealed class QuotaPolicy(FlavorCatalog catalog)
{
    /// <summary>The admission for <paramref name="spec"/>, or a refusal when the user may not use its flavor.</summary>
    public QuotaDecision Admit(string hub, ServerSpec spec, JsonElement? authentication)
    {
        var label = spec.Name.Length > 0 ? spec.Name : $"{spec.UserName} (default server)";
        var config = catalog.Current;
        if (!config.IsConfigured)
        {
            return new QuotaDecision.Admitted(FlavorAdmission.Unlimited(spec.Flavor, label, hub, spec.UserId));
        }
        var flavors = FlavorSelector.ForUser(config, hub, authentication) ?? [];
        var chosen = flavors.FirstOrDefault(f => f.Key == spec.Flavor);
        if (spec.Flavor is null || chosen.Value is null)
        {
            var allowed = $"[{string.Join(", ", flavors.Select(f => $"'{f.Key}'"))}]";
            return new QuotaDecision.Refused($"{label} - Start with flavor {spec.Flavor ?? "None"} not allowed. Allowed values for user: {allowed}");
        }
        var definition = chosen.Value;
        var max = FlavorConfigReader.Number(definition, "max", -1);
        var maxPerUser = FlavorConfigReader.Number(definition, "maxPerUser", 0);
        var quota = new ServerQuota(
            max == -1 ? null : max,
            maxPerUser > 0 ? maxPerUser : null,
            config.GlobalMaxPerUser == -1 ? null : config.GlobalMaxPerUser);
        return new QuotaDecision.Admitted(new FlavorAdmission(spec.Flavor, definition, quota, FlavorConfigReader.Runtime(definition), label, hub, spec.UserId));
    }
}

/// <summary>What <see cref="QuotaPolicy.Admit"/> decided for one start.</summary>
public abstract record QuotaDecision
{
    private QuotaDecision()
    {
    }

    /// <summary>The start may use its flavor, with the limits of <paramref name="Admission"/>.</summary>
    public sealed record Admitted(FlavorAdmission Admission) : QuotaDecision;

    /// <summary>The user may not use the flavor; <paramref name="Message"/> is the original Outpost's wording.</summary>
    public sealed record Refused(string Message) : QuotaDecision;
}
