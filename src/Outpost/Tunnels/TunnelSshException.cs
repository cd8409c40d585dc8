namespace Outpost.Tunnels;

/// <summary>ssh could not set up a forward (answered as 502: the input was fine, the far side was not).</summary>
public sealed class TunnelSshException(string message) : Exception(message);
