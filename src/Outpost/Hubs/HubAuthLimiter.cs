using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Outpost.Operations;

namespace Outpost.Hubs;

/// <summary>
/// Rate limits failed hub authentication per client address and per hub name (token buckets that refill evenly over
/// a minute; only failures take tokens). While a bucket is empty, requests are refused before the password is
/// checked, so no PBKDF2 runs and a right password is refused too: answering it would tell a guesser it was right.
/// A hub's own addresses (those it authenticated from before) have a bucket of their own for that hub instead of
/// the address and hub-name buckets: guesses from elsewhere cannot lock a hub out, and neither can another hub (or a
/// guesser) behind the same NAT or load balancer address, while failures for that hub from there are still limited.
/// </summary>
public sealed partial class HubAuthLimiter : IDisposable
{
    private const int MaxKnownAddresses = 10_000;

    /// <summary>A bucket untouched this long is full again (it refills within a minute), so older failures do not matter.</summary>
    private static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(2);
    private readonly PartitionedRateLimiter<string> _byAddress;
    private readonly PartitionedRateLimiter<string> _byHub;
    private readonly PartitionedRateLimiter<(string Hub, string Address)> _byKnownPair;
    private readonly ConcurrentDictionary<(string Hub, string Address), byte> _known = new();

    // When each address and hub name last failed: the hot path (a hub that never fails) asks only these, without the
    // limiters' lock. An entry older than FailureMemory means a full bucket.
    private readonly ConcurrentDictionary<string, long> _addressFailedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _hubFailedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Hub, string Address), long> _pairFailedAt = new();
    private readonly ILogger<HubAuthLimiter> _logger;
    private readonly TimeSpan _addressPeriod;
    private readonly TimeSpan _hubPeriod;

    public HubAuthLimiter(IOptions<AuthLimitsOptions> options, ILogger<HubAuthLimiter> logger)
    {
        _logger = logger;
        (_byAddress, _addressPeriod) = PerMinute(options.Value.FailuresPerMinutePerAddress);
        (_byHub, _hubPeriod) = PerMinute(options.Value.FailuresPerMinutePerHub);
        (_byKnownPair, _) = PerMinute<(string, string)>(options.Value.FailuresPerMinutePerAddress, EqualityComparer<(string, string)>.Default);
    }

    /// <summary>How long <paramref name="address"/> must wait before it may try <paramref name="hub"/>, or null if it may now.</summary>
    public TimeSpan? RetryAfter(string address, string hub)
    {
        // Statistics, not a zero-permit lease: token buckets refill in fractions, and a zero-permit lease is granted
        // as soon as any fraction is back, while a failure needs a whole token.
        var pair = (hub, address);
        if (_known.ContainsKey(pair))
        {
            return FailedRecently(_pairFailedAt, pair) && IsEmpty(_byKnownPair, pair) ? _addressPeriod : null;
        }
        if (FailedRecently(_addressFailedAt, address) && IsEmpty(_byAddress, address))
        {
            return _addressPeriod;
        }
        return FailedRecently(_hubFailedAt, hub) && IsEmpty(_byHub, hub) ? _hubPeriod : null;
    }

    /// <summary>Counts a wrong password (or unknown name) from <paramref name="address"/> for <paramref name="hub"/>.</summary>
    public void Failed(string address, string hub)
    {
        var pair = (hub, address);
        if (_known.ContainsKey(pair))
        {
            Remember(_pairFailedAt, pair);
            Take(_byKnownPair, pair, "hub at its own address", hub, address);
            return;
        }
        Remember(_addressFailedAt, address);
        Remember(_hubFailedAt, hub);
        Take(_byAddress, address, "address", address, address);
        Take(_byHub, hub, "hub", hub, address);
    }

    /// <summary>Remembers that <paramref name="hub"/> authenticated from <paramref name="address"/>.</summary>
    public void Succeeded(string address, string hub)
    {
        if (_known.ContainsKey((hub, address)))
        {
            return;
        }
        if (_known.Count >= MaxKnownAddresses)
        {
            _known.Clear(); // bounded; a hub that polls is remembered again on its next success
        }
        _known.TryAdd((hub, address), 0);
    }

    /// <summary>The partition key of a client: its IPv4 address, or the /64 of an IPv6 address (one site's hosts share a /64).</summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    public void Dispose()
    {
        _byAddress.Dispose();
        _byHub.Dispose();
        _byKnownPair.Dispose();
    }

    private void Take<TKey>(PartitionedRateLimiter<TKey> limiter, TKey key, string kind, string shown, string address)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired && limiter.GetStatistics(key)?.CurrentAvailablePermits == 0)
        {
            Log.Limited(_logger, kind, shown, address);
        }
    }

    private static bool FailedRecently<TKey>(ConcurrentDictionary<TKey, long> failedAt, TKey key)
        where TKey : notnull =>
        failedAt.TryGetValue(key, out var at) && Environment.TickCount64 - at < FailureMemory.TotalMilliseconds;

    private static void Remember<TKey>(ConcurrentDictionary<TKey, long> failedAt, TKey key)
        where TKey : notnull
    {
        var now = Environment.TickCount64;
        if (failedAt.Count >= MaxKnownAddresses && !failedAt.ContainsKey(key))
        {
            // Bounded: drop what no longer matters; each failure costs a PBKDF2, so this fills slowly.
            foreach (var (stale, at) in failedAt)
            {
                if (now - at >= FailureMemory.TotalMilliseconds)
                {
                    failedAt.TryRemove(stale, out _);
                }
            }
        }
        failedAt[key] = now;
    }

    private static bool IsEmpty<TKey>(PartitionedRateLimiter<TKey> limiter, TKey key) => limiter.GetStatistics(key)?.CurrentAvailablePermits < 1;

    /// <summary>A bucket of <paramref name="failures"/> per key that gets one back every minute / failures (the wait for the next try).</summary>
    private static (PartitionedRateLimiter<string> Limiter, TimeSpan Period) PerMinute(int failures) =>
        PerMinute<string>(failures, StringComparer.Ordinal);

    private static (PartitionedRateLimiter<TKey> Limiter, TimeSpan Period) PerMinute<TKey>(int failures, IEqualityComparer<TKey> comparer)
        where TKey : notnull
    {
        var period = TimeSpan.FromMinutes(1) / failures;
        var limiter = PartitionedRateLimiter.Create<TKey, TKey>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = failures,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }), comparer);
        return (limiter, period);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AuthFailuresLimited, Level = LogLevel.Warning,
            Message = "Too many failed hub authentications for {Kind} {Key} (last from {Address}); refusing it with 429 until its limit refills")]
        public static partial void Limited(ILogger logger, string kind, string key, string address);
    }
}
