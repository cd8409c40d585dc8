using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Outpost.Operations;

namespace Outpost.Tunnels;

/// <summary>
/// Keeps the forwards: creates, checks and removes them, saves the list on every change, brings them back after a
/// restart, and heals the ones that died (re-created with exponential backoff, logged once per incident).
/// Locking: the list has a short lock of its own that is never held during an ssh call; every ssh call holds the
/// lock of its master (node, port, user, key), so a slow or unreachable node holds up only the forwards through it.
/// </summary>
public sealed class TunnelManager(ISshForwarding ssh, TunnelStateFile state, ILogger<TunnelManager> logger, TimeProvider time)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly Lock _listGate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _masterGates = new(StringComparer.Ordinal);

    private sealed class Entry(TunnelSpec spec)
    {
        public TunnelSpec Spec { get; } = spec;
        public bool Healthy { get; set; }
        public bool WentDown { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset NextAttempt { get; set; }

        /// <summary>Set under the list lock when the entry leaves the list; an ssh step that finds it set does nothing.</summary>
        public volatile bool Removed;
    }

    /// <summary>
    /// Loads the state file and brings back every forward in it (a master that outlived us is reused). An entry
    /// that fails validation is skipped with a log line; the others still come back.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var loaded = state.Load();
        if (loaded.Unreadable is not null)
        {
            logger.LogError(LogEvents.TunnelStateUnreadable, "The state file {Path} is unreadable; starting with no forwards: {Reason}", state.Path, loaded.Unreadable);
        }
        foreach (var skip in loaded.Skipped)
        {
            logger.LogWarning(LogEvents.TunnelStateEntrySkipped, "Skipped the saved forward of server {ServerId} in {Path}: {Reason} (it leaves the file at the next change)", skip.ServerId, state.Path, skip.Reason);
        }
        List<Entry> entries;
        lock (_listGate)
        {
            foreach (var spec in loaded.Specs)
            {
                _entries[spec.ServerId] = new Entry(spec);
            }
            entries = [.. _entries.Values];
        }
        await ForEachMasterAsync(entries, (entry, ct) => CheckAndHealAsync(entry, respectBackoff: false, ct), cancellationToken);
        logger.LogInformation(LogEvents.TunnelsRecovered, "Recovered {Count} forward(s) from {Path}: {Up} up, {Skipped} skipped", entries.Count, state.Path, entries.Count(e => e.Healthy), loaded.Skipped.Count);
    }

    /// <summary>
    /// Creates the forward of <paramref name="spec"/>.ServerId, or replaces it when the spec differs. The same spec
    /// again (a hub that restarted asks for its forwards) keeps a working forward untouched, so open connections
    /// through it survive. A forward ssh cannot make now stays in the list and is retried by the healing passes;
    /// the caller still gets the <see cref="TunnelSshException"/>.
    /// </summary>
    public async Task<TunnelStatus> CreateAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        Entry entry;
        Entry? replaced = null;
        bool repeated;
        lock (_listGate)
        {
            _entries.TryGetValue(spec.ServerId, out var existing);
            repeated = existing is not null && existing.Spec.SameForwardAs(spec);
            if (repeated)
            {
                entry = existing!;
            }
            else
            {
                var other = _entries.Values.FirstOrDefault(e => e.Spec.ServerId != spec.ServerId && e.Spec.ListensLike(spec));
                if (other is not null)
                {
                    throw new TunnelInputException("localPort", $"is already used by the forward of server '{other.Spec.ServerId}'");
                }
                if (existing is not null)
                {
                    existing.Removed = true;
                    replaced = existing;
                }
                entry = _entries[spec.ServerId] = new Entry(spec);
                SaveList();
            }
        }
        if (replaced is not null)
        {
            await RemoveForwardAsync(replaced.Spec, cancellationToken);
        }
        using (await LockMasterAsync(spec.MasterKey, cancellationToken))
        {
            if (entry.Removed)
            {
                throw new TunnelInputException("serverId", "was removed while its forward was being created");
            }
            if (repeated)
            {
                await CheckAndHealAsync(entry, respectBackoff: false, cancellationToken);
                return entry.Healthy ? Status(entry) : throw new TunnelSshException($"the forward {spec.ForwardSpec} is down and could not be re-created; the service keeps retrying it");
            }
            try
            {
                await ssh.ForwardAsync(spec, cancellationToken);
            }
            catch (TunnelSshException ex)
            {
                MarkFailed(entry);
                logger.LogWarning(LogEvents.TunnelCreateFailed, "Could not create the forward {Spec} of server {ServerId}: {Reason}; kept, and retried with backoff", spec.ForwardSpec, spec.ServerId, ex.Message);
                throw new TunnelSshException($"{ex.Message}; the service keeps the forward and retries it");
            }
            entry.Healthy = true;
        }
        logger.LogInformation(LogEvents.TunnelCreated, "Forward {Spec} for server {ServerId} through {Node}:{Port}", spec.ForwardSpec, spec.ServerId, spec.SshNode, spec.SshPort);
        return Status(entry);
    }

    /// <summary>Checks one forward now; a dead one is re-created at once, backoff or not (the caller needs it).</summary>
    public async Task<TunnelStatus?> CheckAsync(string serverId, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_listGate)
        {
            _entries.TryGetValue(serverId, out entry);
        }
        if (entry is null)
        {
            return null;
        }
        using (await LockMasterAsync(entry.Spec.MasterKey, cancellationToken))
        {
            await CheckAndHealAsync(entry, respectBackoff: false, cancellationToken);
        }
        return Status(entry);
    }

    public async Task<bool> RemoveAsync(string serverId, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_listGate)
        {
            if (!_entries.Remove(serverId, out entry))
            {
                return false;
            }
            entry.Removed = true;
            SaveList();
        }
        await RemoveForwardAsync(entry.Spec, cancellationToken);
        logger.LogInformation(LogEvents.TunnelRemoved, "Removed the forward {Spec} of server {ServerId}", entry.Spec.ForwardSpec, serverId);
        return true;
    }

    public TunnelStatus[] List()
    {
        lock (_listGate)
        {
            return _entries.Values.Select(Status).OrderBy(s => s.ServerId, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>One healing pass: every forward checked, the dead ones whose backoff has passed re-created; masters in parallel.</summary>
    public async Task HealAsync(CancellationToken cancellationToken)
    {
        List<Entry> entries;
        lock (_listGate)
        {
            entries = [.. _entries.Values];
        }
        await ForEachMasterAsync(entries, (entry, ct) => CheckAndHealAsync(entry, respectBackoff: true, ct), cancellationToken);
    }

    /// <summary>2, 4, 8 … seconds, at most a minute.</summary>
    public static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10))));

    /// <summary>The caller holds the entry's master lock.</summary>
    private async Task CheckAndHealAsync(Entry entry, bool respectBackoff, CancellationToken cancellationToken)
    {
        if (entry.Removed)
        {
            return;
        }
        if (await ssh.WorksAsync(entry.Spec, cancellationToken))
        {
            MarkUp(entry);
            return;
        }
        if (entry.Healthy)
        {
            logger.LogWarning(LogEvents.TunnelDown, "The forward {Spec} of server {ServerId} is down; re-creating it", entry.Spec.ForwardSpec, entry.Spec.ServerId);
            entry.Healthy = false;
            entry.WentDown = true;
        }
        if (respectBackoff && time.GetUtcNow() < entry.NextAttempt)
        {
            return;
        }
        try
        {
            await ssh.ForwardAsync(entry.Spec, cancellationToken);
            MarkUp(entry);
        }
        catch (TunnelSshException ex)
        {
            MarkFailed(entry);
            if (entry.Failures == 1)
            {
                logger.LogWarning(LogEvents.TunnelRecreateFailed, "Could not re-create the forward of server {ServerId}: {Reason}; retrying with backoff", entry.Spec.ServerId, ex.Message);
            }
        }
    }

    private void MarkUp(Entry entry)
    {
        if (entry.Failures > 0 || entry.WentDown)
        {
            logger.LogInformation(LogEvents.TunnelRestored, "The forward {Spec} of server {ServerId} is up after {Failures} failed attempt(s)", entry.Spec.ForwardSpec, entry.Spec.ServerId, entry.Failures);
        }
        entry.Healthy = true;
        entry.WentDown = false;
        entry.Failures = 0;
        entry.NextAttempt = default;
    }

    private void MarkFailed(Entry entry)
    {
        entry.Healthy = false;
        entry.Failures++;
        entry.NextAttempt = time.GetUtcNow() + Backoff(entry.Failures);
    }

    private async Task RemoveForwardAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        using (await LockMasterAsync(spec.MasterKey, cancellationToken))
        {
            await ssh.CancelAsync(spec, cancellationToken);
            bool masterStillUsed;
            lock (_listGate)
            {
                masterStillUsed = _entries.Values.Any(e => e.Spec.MasterKey == spec.MasterKey);
            }
            // The last forward through a master ends it, so idle ssh connections do not pile up.
            if (!masterStillUsed)
            {
                await ssh.ExitMasterAsync(spec, cancellationToken);
            }
        }
    }

    private Task ForEachMasterAsync(IEnumerable<Entry> entries, Func<Entry, CancellationToken, Task> action, CancellationToken cancellationToken) =>
        Task.WhenAll(entries.GroupBy(e => e.Spec.MasterKey, StringComparer.Ordinal).Select(async group =>
        {
            using (await LockMasterAsync(group.Key, cancellationToken))
            {
                foreach (var entry in group)
                {
                    await action(entry, cancellationToken);
                }
            }
        }));

    private async Task<IDisposable> LockMasterAsync(string masterKey, CancellationToken cancellationToken)
    {
        var gate = _masterGates.GetOrAdd(masterKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    /// <summary>The caller holds the list lock.</summary>
    private void SaveList() => state.Save(_entries.Values.Select(e => e.Spec));

    private static TunnelStatus Status(Entry entry) =>
        new(entry.Spec.ServerId, entry.Spec.ForwardSpec, entry.Spec.SshNode, entry.Spec.SshPort, entry.Healthy, entry.Failures);
}
