using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Outpost.Storage;

namespace Outpost.Hubs;

/// <summary>
/// Checks a hub's name and password. Clear-text passwords from configuration are compared as keyed
/// digests in constant time; PBKDF2 hashes are verified once per distinct password and the success is
/// remembered as a digest, so polls do not pay for PBKDF2 on every request.
/// </summary>
public sealed class HubCredentials(IOptions<HubsOptions> hubs, IHubStore store)
{
    private readonly byte[] _digestKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new(StringComparer.Ordinal);

    public async ValueTask<bool> VerifyAsync(string hub, string password, CancellationToken cancellationToken)
    {
        var presented = Digest(password);
        if (hubs.Value.Hubs.TryGetValue(hub, out var options))
        {
            if (options.Password is { Length: > 0 } configured)
            {
                return CryptographicOperations.FixedTimeEquals(presented, Digest(configured));
            }
            if (options.PasswordHash is { Length: > 0 } configuredHash)
            {
                return VerifyHash(hub, password, presented, configuredHash);
            }
        }
        var storedHash = await store.FindPasswordHashAsync(hub, cancellationToken);
        if (storedHash is null)
        {
            // Same work as a wrong password, so unknown names cannot be told apart by timing.
            CryptographicOperations.FixedTimeEquals(presented, Digest(hub));
            return false;
        }
        return VerifyHash(hub, password, presented, storedHash);
    }

    private bool VerifyHash(string hub, string password, byte[] presented, string hash)
    {
        var cacheKey = hub + "\n" + hash;
        if (_verified.TryGetValue(cacheKey, out var known) && CryptographicOperations.FixedTimeEquals(presented, known))
        {
            return true;
        }
        if (!PasswordHash.Verify(password, hash))
        {
            return false;
        }
        if (_verified.Count > 10_000)
        {
            _verified.Clear();
        }
        _verified[cacheKey] = presented;
        return true;
    }

    private byte[] Digest(string value) => HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(value));
}
