namespace Outpost.Tunnels;

/// <summary>What <see cref="TunnelStateFile.Load"/> found: the good forwards, the skipped entries, and why the whole file was unreadable (or null).</summary>
public sealed record TunnelStateLoad(IReadOnlyList<TunnelSpec> Specs, IReadOnlyList<TunnelStateSkip> Skipped, string? Unreadable);

/// <summary>One entry of the state file that did not pass validation.</summary>
public sealed record TunnelStateSkip(string ServerId, string Reason);
