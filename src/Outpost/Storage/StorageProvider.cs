namespace Outpost.Storage;

/// <summary>
/// The database the Outpost keeps its state in (<c>Outpost:Storage:Provider</c>), read once when the services are
/// registered: the stores (<c>AddStorage</c>) and leadership (<c>AddReplicas</c>) are both chosen by it.
/// </summary>
public sealed record StorageProvider(bool IsPostgres)
{
    public static StorageProvider From(IConfiguration configuration) =>
        new((configuration.GetSection("Outpost:Storage").Get<StorageOptions>() ?? new StorageOptions()).IsPostgres);
}
