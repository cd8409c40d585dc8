namespace Outpost.Tunnels;

/// <summary>An input the tunnel service refuses; <see cref="Field"/> names the field (answered as 400).</summary>
public sealed class TunnelInputException(string field, string reason) : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;
    public string Reason { get; } = reason;
}
