namespace Outpost.Checks;

/// <summary>Settings only <c>outpost check</c> reads, bound to <c>Outpost:Check</c>.</summary>
public sealed class CheckOptions
{
    /// <summary>
    /// The forward-only account hubs open their ssh tunnels with (e.g. <c>jhuboutpost</c>). When set, <c>check</c>
    /// asks sshd how it treats that account. Default none: the sshd side is not checked.
    /// </summary>
    public string? TunnelUser { get; set; }

    /// <summary>The sshd configuration the tunnel endpoint runs with. Default <c>/etc/ssh/sshd_config</c>.</summary>
    public string SshdConfig { get; set; } = "/etc/ssh/sshd_config";

    /// <summary>The sshd program asked (<c>sshd -T</c>). Default <c>/usr/sbin/sshd</c>.</summary>
    public string Sshd { get; set; } = "/usr/sbin/sshd";
}
