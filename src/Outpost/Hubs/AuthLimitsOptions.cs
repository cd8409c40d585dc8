namespace Outpost.Hubs;

/// <summary>
/// Limits on failed hub authentication, bound to <c>Outpost:AuthLimits</c>. Only failures count: a hub that polls
/// with its right password is never slowed down by its own traffic.
/// </summary>
public sealed class AuthLimitsOptions
{
    /// <summary>
    /// Failed authentications one client address may make per minute (IPv6: per /64), as a bucket of this many that
    /// refills evenly over a minute. Beyond it every request with credentials from that address, right password or
    /// not, is answered 429 with <c>Retry-After</c>. Default 30.
    /// </summary>
    public int FailuresPerMinutePerAddress { get; set; } = 30;

    /// <summary>
    /// Failed authentications per minute for one hub name, from any address. Beyond it that name is answered 429 from
    /// every address except those it already authenticated from (so a hub is not locked out by guesses from
    /// elsewhere). Default 60.
    /// </summary>
    public int FailuresPerMinutePerHub { get; set; } = 60;

    /// <summary>
    /// PBKDF2 verifications (passwords not yet verified, and the equal work done for wrong ones) that run at once;
    /// more wait their turn, so parallel wrong guesses cannot occupy every core. Default 1.
    /// </summary>
    public int ConcurrentHashVerifications { get; set; } = 1;
}
