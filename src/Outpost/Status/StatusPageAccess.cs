using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Outpost.Hubs;

namespace Outpost.Status;

/// <summary>
/// Checks the status page's own Basic credential. User name and password are both checked on every attempt, in
/// constant time (keyed digests; PBKDF2 for a password not yet verified), so the time of a failure does not tell which
/// part was wrong. Failures go through <see cref="HubAuthLimiter"/> under a key no hub can have (hub names cannot hold
/// ':'), sharing the per-address budget with hub logins.
/// </summary>
public sealed class StatusPageAccess(IOptionsMonitor<StatusPageOptions> options, HubAuthLimiter limiter)
{
    /// <summary>The limiter's name for the status page: Basic user names end at the first ':', so no hub is called this.</summary>
    internal const string LimiterKey = ":status-page";

    private readonly byte[] _digestKey = RandomNumberGenerator.GetBytes(32);
    private (string Hash, byte[] Digest)? _verified;

    /// <summary>Decides on one request; <paramref name="retryAfter"/> is the wait to announce with <see cref="StatusAccess.Limited"/>.</summary>
    public StatusAccess Check(HttpContext context, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var settings = options.CurrentValue;
        if (!settings.IsEnabled)
        {
            return StatusAccess.Disabled;
        }
        if (!TryReadBasic(context.Request.Headers.Authorization, out var user, out var password))
        {
            return StatusAccess.Missing;
        }
        var address = HubAuthLimiter.AddressKey(context.Connection.RemoteIpAddress);
        if (limiter.RetryAfter(address, LimiterKey) is { } wait)
        {
            retryAfter = wait;
            return StatusAccess.Limited;
        }
        var userMatches = CryptographicOperations.FixedTimeEquals(Digest(user), Digest(settings.UserName));
        var passwordMatches = VerifyPassword(password, settings.PasswordHash!);
        if (userMatches && passwordMatches)
        {
            limiter.Succeeded(address, LimiterKey);
            return StatusAccess.Granted;
        }
        limiter.Failed(address, LimiterKey);
        return StatusAccess.Denied;
    }

    /// <summary>A remembered success is a digest compare; anything else costs one PBKDF2, right or wrong.</summary>
    private bool VerifyPassword(string password, string hash)
    {
        var presented = Digest(password);
        if (_verified is { } known && known.Hash == hash && CryptographicOperations.FixedTimeEquals(presented, known.Digest))
        {
            return true;
        }
        if (!PasswordHash.Verify(password, hash))
        {
            return false;
        }
        _verified = (hash, presented);
        return true;
    }

    private static bool TryReadBasic(string? header, out string user, out string password)
    {
        user = password = "";
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !"Basic".Equals(value.Scheme, StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }
        (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }

    private byte[] Digest(string value) => HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(value));
}
