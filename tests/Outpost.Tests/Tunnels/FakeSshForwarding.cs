using System.Collections.Concurrent;
using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

/// <summary>
/// ssh as the tunnel manager sees it, in memory: which forwards work, which nodes refuse, and a gate that holds
/// every call to one node until the test opens it (to show that one slow node does not hold up the others).
/// </summary>
internal sealed class FakeSshForwarding : ISshForwarding
{
    private readonly ConcurrentDictionary<string, bool> _working = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Nodes whose ssh fails (connection refused, say).</summary>
    public ConcurrentDictionary<string, bool> RefusingNodes { get; } = new();

    /// <summary>Calls to a node listed here wait for its task.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> HeldNodes { get; } = new();

    public bool Works(string serverId) => _working.TryGetValue(serverId, out var up) && up;

    /// <summary>The forward dies (its master killed, say).</summary>
    public void Break(string serverId) => _working[serverId] = false;

    public async Task ForwardAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await HoldAsync(spec, "forward");
        if (RefusingNodes.ContainsKey(spec.SshNode))
        {
            throw new TunnelSshException($"ssh to {spec.SshNode} failed: connection refused");
        }
        _working[spec.ServerId] = true;
    }

    public async Task<bool> WorksAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await HoldAsync(spec, "check");
        return Works(spec.ServerId);
    }

    public async Task CancelAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await HoldAsync(spec, "cancel");
        _working[spec.ServerId] = false;
    }

    public async Task ExitMasterAsync(TunnelSpec spec, CancellationToken cancellationToken) =>
        await HoldAsync(spec, "exit");

    public int Count(string operation, string serverId) => Calls.Count(c => c == $"{operation} {serverId}");

    private async Task HoldAsync(TunnelSpec spec, string operation)
    {
        Calls.Enqueue($"{operation} {spec.ServerId}");
        if (HeldNodes.TryGetValue(spec.SshNode, out var held))
        {
            await held.Task;
        }
    }
}
