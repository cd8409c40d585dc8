using System.Collections.Concurrent;
using Outpost.Storage;

namespace Outpost.Tests.Fakes;

/// <summary><see cref="IHubStore"/> in a dictionary; counts lookups so tests can see when the store was asked.</summary>
public sealed class InMemoryHubStore : IHubStore
{
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public Task<string?> FindPasswordHashAsync(string hub, CancellationToken cancellationToken = default)
    {
        Lookups++;
        return Task.FromResult(_hashes.TryGetValue(hub, out var hash) ? hash : null);
    }

    public Task SetPasswordHashAsync(string hub, string passwordHash, CancellationToken cancellationToken = default)
    {
        _hashes[hub] = passwordHash;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. _hashes.Keys.Order(StringComparer.Ordinal)]);
}
