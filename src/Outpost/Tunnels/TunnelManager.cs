using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Outpost.Hosting;

namespace Outpost.Tunnels;

/// <summary>
/// Keeps the forwards: creates, checks and removes them, saves the list on every change, brings them back after a
/// restart, and heals the ones that died (periodic <c>-O check</c> plus a connect to the local port; re-created
/// with exponential backoff, logged once per incident). One lock: ssh calls are short and rare.
/// </summary>
public sealed class TunnelManager(OpenSshTunnels ssh, TunnelStateFile state, ILogger<TunnelManager> logger, TimeProvider time)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry(TunnelSpec spec)
    {
        public TunnelSpec Spec { get; set; } = spec;
        public bool Healthy { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset NextAttempt { get; set; }
    }

    /// <summary>Loads the state file and re-creates every forward in it (the masters may have outlived us).</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var specs = state.Load();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var spec in specs)
            {
                var entry = _entries[spec.ServerId] = new Entry(spec);
                await TryRecreateAsync(entry, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
        logger.LogInformation(LogEvents.TunnelsRecovered, "Recovered {Count} forward(s) from {Path}", specs.Count, state.Path);
    }

    public async Task<TunnelStatus> CreateAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_entries.TryGetValue(spec.ServerId, out var existing) && existing.Spec != spec)
            {
                await RemoveForwardAsync(existing.Spec, cancellationToken);
            }
            foreach (var other in _entries.Values.Where(e => e.Spec.ServerId != spec.ServerId && e.Spec.BindAddress == spec.BindAddress && e.Spec.LocalPort == spec.LocalPort))
            {
                throw new TunnelInputException("localPort", $"is already used by the forward of server '{other.Spec.ServerId}'");
            }
            await ssh.ForwardAsync(spec, cancellationToken);
            var entry = _entries[spec.ServerId] = new Entry(spec) { Healthy = true };
            state.Save(_entries.Values.Select(e => e.Spec));
            logger.LogInformation(LogEvents.TunnelCreated, "Forward {Spec} for server {ServerId} through {Node}:{Port}", spec.ForwardSpec, spec.ServerId, spec.SshNode, spec.SshPort);
            return Status(entry);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks one forward now; a dead one is re-created at once (the caller is asking because it needs it).</summary>
    public async Task<TunnelStatus?> CheckAsync(string serverId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_entries.TryGetValue(serverId, out var entry))
            {
                return null;
            }
            if (!await IsHealthyAsync(entry.Spec, cancellationToken))
            {
                await TryRecreateAsync(entry, cancellationToken);
            }
            return Status(entry);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> RemoveAsync(string serverId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_entries.Remove(serverId, out var entry))
            {
                return false;
            }
            state.Save(_entries.Values.Select(e => e.Spec));
            await RemoveForwardAsync(entry.Spec, cancellationToken);
            logger.LogInformation(LogEvents.TunnelRemoved, "Removed the forward {Spec} of server {ServerId}", entry.Spec.ForwardSpec, serverId);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<TunnelStatus[]> ListAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _entries.Values.Select(Status).OrderBy(s => s.ServerId, StringComparer.Ordinal).ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One healing pass: every forward checked, the dead ones whose backoff has passed re-created.</summary>
    public async Task HealAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var entry in _entries.Values)
            {
                if (await IsHealthyAsync(entry.Spec, cancellationToken))
                {
                    entry.Healthy = true;
                    continue;
                }
                if (entry.Healthy)
                {
                    logger.LogWarning(LogEvents.TunnelDown, "The forward {Spec} of server {ServerId} is down; re-creating it", entry.Spec.ForwardSpec, entry.Spec.ServerId);
                    entry.Healthy = false;
                }
                if (time.GetUtcNow() >= entry.NextAttempt)
                {
                    await TryRecreateAsync(entry, cancellationToken);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TryRecreateAsync(Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            await ssh.ForwardAsync(entry.Spec, cancellationToken);
            if (entry.Failures > 0 || !entry.Healthy)
            {
                logger.LogInformation(LogEvents.TunnelRestored, "The forward {Spec} of server {ServerId} is up after {Failures} failed attempt(s)", entry.Spec.ForwardSpec, entry.Spec.ServerId, entry.Failures);
            }
            entry.Healthy = true;
            entry.Failures = 0;
        }
        catch (TunnelSshException ex)
        {
            entry.Healthy = false;
            entry.Failures++;
            entry.NextAttempt = time.GetUtcNow() + Backoff(entry.Failures);
            if (entry.Failures == 1)
            {
                logger.LogWarning(LogEvents.TunnelRecreateFailed, "Could not re-create the forward of server {ServerId}: {Reason}; retrying with backoff", entry.Spec.ServerId, ex.Message);
            }
        }
    }

    /// <summary>2, 4, 8 … seconds, at most a minute.</summary>
    public static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10))));

    private async Task<bool> IsHealthyAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        if (!await ssh.MasterRunsAsync(spec, cancellationToken))
        {
            return false;
        }
        // The master can run without our forward (cancelled, or its listener lost): the port must accept.
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(spec.BindAddress, spec.LocalPort, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task RemoveForwardAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await ssh.CancelAsync(spec, cancellationToken);
        // The last forward through a master ends it, so idle ssh connections do not pile up.
        if (!_entries.Values.Any(e => e.Spec.MasterKey == spec.MasterKey))
        {
            await ssh.ExitMasterAsync(spec, cancellationToken);
        }
    }

    private static TunnelStatus Status(Entry entry) =>
        new(entry.Spec.ServerId, entry.Spec.ForwardSpec, entry.Spec.SshNode, entry.Spec.SshPort, entry.Healthy, entry.Failures);
}
