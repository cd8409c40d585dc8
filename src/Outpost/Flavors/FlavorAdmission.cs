using System.Text.Json.Nodes;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>What a start may use: its flavor's definition, the limits to check atomically with the insert, its runtime.</summary>
public sealed record FlavorAdmission(string? FlavorName, JsonObject? Definition, ServerQuota? Quota, TimeSpan? Runtime, string ServerLabel, string Hub, long UserId)
{
    public static FlavorAdmission Unlimited(string? flavor, string serverLabel, string hub, long userId) => new(flavor, null, null, null, serverLabel, hub, userId);

    /// <summary>The user-facing message for a limit the store reported as reached.</summary>
    public string Describe(QuotaLimit limit) => limit switch
    {
        QuotaLimit.OfFlavor => $"{ServerLabel} - Start with {FlavorName} for {Hub} not allowed. Maximum ({Quota?.MaxOfFlavor}) already reached.",
        QuotaLimit.OfFlavorPerUser => $"{ServerLabel} - Start with flavor {FlavorName} not allowed. Each user may only start {Quota?.MaxOfFlavorPerUser} of {FlavorName}",
        _ => $"{ServerLabel} - User with user id {UserId} of {Hub} has reached the maximum limit of services ({Quota?.MaxPerUser})",
    };
}
