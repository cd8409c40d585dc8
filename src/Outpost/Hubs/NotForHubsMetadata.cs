namespace Outpost.Hubs;

/// <summary>
/// Endpoint metadata for routes that check a credential of their own (the status page): hub authentication leaves
/// their requests alone, so a hub's credentials mean nothing there and an admin's login is never tried as a hub's.
/// </summary>
public sealed class NotForHubsMetadata
{
    public static readonly NotForHubsMetadata Instance = new();

    private NotForHubsMetadata()
    {
    }
}
