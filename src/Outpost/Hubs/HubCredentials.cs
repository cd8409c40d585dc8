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
/// <remarks>
/// Every failure costs one PBKDF2 verification, whatever failed: a wrong password for a hashed hub verifies its hash;
/// a wrong password for a clear-text hub, and any password for an unknown name, verify a dummy hash made with the
/// default iteration count. So the time of a failure does not tell which names exist or how their passwords are kept
/// (a right password answers faster, which tells a guesser nothing it did not know). PBKDF2 runs at most
/// <see cref="AuthLimitsOptions.ConcurrentHashVerifications"/> at a time; further verifications wait their turn.
/// </remarks>
public sealed class HubCredentials(IOptions<HubsOptions> hubs, IHubStore store, IOptions<AuthLimitsOptions> limits) : IDisposable
{
    private readonly byte[] _digestKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new(StringComparer.Ordinal);
    private readonly Lazy<string> _dummyHash = new(() => PasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
    private readonly SemaphoreSlim _hashing = new(limits.Value.ConcurrentHashVerifications);
    private long _hashVerifications;

    /// <summary>PBKDF2 verifications run so far (the expensive path); lets tests see that failures all take it.</summary>
    internal long HashVerifications => Interlocked.Read(ref _hashVerifications);

    public async ValueTask<bool> VerifyAsync(string hub, string password, CancellationToken cancellationToken)
    {
        var presented = Digest(password);
        if (hubs.Value.Hubs.TryGetValue(hub, out var options))
        {
            if (options.Password is { Length: > 0 } configured)
            {
                if (CryptographicOperations.FixedTimeEquals(presented, Digest(configured)))
                {
                    return true;
                }
                await Pbkdf2Async(password, _dummyHash.Value, cancellationToken);
                return false;
            }
            if (options.PasswordHash is { Length: > 0 } configuredHash)
            {
                return await VerifyHashAsync(hub, password, presented, configuredHash, cancellationToken);
            }
        }
        var storedHash = await store.FindPasswordHashAsync(hub, cancellationToken);
        if (storedHash is null)
        {
            // The work of a wrong password for a hashed hub, so unknown names cannot be told apart by timing.
            await Pbkdf2Async(password, _dummyHash.Value, cancellationToken);
            return false;
        }
        return await VerifyHashAsync(hub, password, presented, storedHash, cancellationToken);
    }

    public void Dispose() => _hashing.Dispose();

    private async ValueTask<bool> VerifyHashAsync(string hub, string password, byte[] presented, string hash, CancellationToken cancellationToken)
    {
        var cacheKey = hub + "\n" + hash;
        if (_verified.TryGetValue(cacheKey, out var known) && CryptographicOperations.FixedTimeEquals(presented, known))
        {
            return true;
        }
        if (!await Pbkdf2Async(password, hash, cancellationToken))
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

    private async ValueTask<bool> Pbkdf2Async(string password, string hash, CancellationToken cancellationToken)
    {
        await _hashing.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _hashVerifications);
            return PasswordHash.Verify(password, hash);
        }
        finally
        {
            _hashing.Release();
        }
    }

    private byte[] Digest(string value) => HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(value));
}
