namespace Outpost.Storage;

/// <summary>Hub credentials added at run time (<c>outpost hub add</c>); only hashes are stored.</summary>
public interface IHubStore
{
    Task<string?> FindPasswordHashAsync(string hub, CancellationToken cancellationToken = default);

    Task SetPasswordHashAsync(string hub, string passwordHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
