using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Announcements;

/// <summary>
/// Tells hubs that the sshd their forwards go through restarted, so they re-create the forwards at once
/// instead of at their next check. Announced when this process has adopted its running servers after start-up
/// (the Outpost and an sshd it brings along restarted together), and, with <see cref="SshdAnnouncementOptions.SshdPidFile"/>,
/// whenever a separately running sshd comes back with a new pid. One announcement per hub (<see cref="SshdAnnouncementPlan"/>),
/// none to a hub without running servers; they go through the durable outbox, so a hub that is down gets it later.
/// Only the leading replica adopts servers, so only the leader announces its start-up.
/// </summary>
public sealed partial class SshdRestartAnnouncer(
    ServerReconciler reconciler,
    IServerStore store,
    ServerSpecCodec codec,
    IEventOutbox outbox,
    OutboxRelay relay,
    IOptions<SshdAnnouncementOptions> options,
    TimeProvider time,
    ILogger<SshdRestartAnnouncer> logger) : BackgroundService
{
    public const string StartedReason = "outpost_started";
    public const string SshdRestartedReason = "sshd_restarted";

    private static readonly ServerPhase[] RunningOnly = [ServerPhase.Running];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }
        var watch = new SshdPidWatch();
        if (settings.SshdPidFile is { } pidFile)
        {
            watch.Observe(ReadPid(pidFile)); // the baseline: start-up is announced below anyway
        }
        await reconciler.Adopted.WaitAsync(stoppingToken);
        await AnnounceSafelyAsync(StartedReason, stoppingToken);
        if (settings.SshdPidFile is not { } file)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.CheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (watch.Observe(ReadPid(file)))
            {
                Log.SshdRestartDetected(logger, file);
                await AnnounceSafelyAsync(SshdRestartedReason, stoppingToken);
            }
        }
    }

    private async Task AnnounceSafelyAsync(string reason, CancellationToken cancellationToken)
    {
        try
        {
            await AnnounceAsync(reason, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AnnouncementFailed(logger, ex);
        }
    }

    /// <summary>Appends one announcement per hub with running servers to the outbox; returns how many.</summary>
    internal async Task<int> AnnounceAsync(string reason, CancellationToken cancellationToken)
    {
        var running = await store.ListByPhaseAsync(RunningOnly, cancellationToken);
        var servers = new List<(ServerRecord, ServerSpec)>(running.Count);
        foreach (var record in running)
        {
            servers.Add((record, codec.Unprotect(record.ProtectedSpec)));
        }
        var announcements = SshdAnnouncementPlan.For(servers);
        foreach (var announcement in announcements)
        {
            await outbox.AppendAsync(new OutboxEvent
            {
                Hub = announcement.Hub,
                Server = $"sshd-announcement/{announcement.Hub}",
                Url = announcement.Url,
                Token = announcement.Token,
                Body = Body(reason, Guid.CreateVersion7()),
            }, cancellationToken);
            Log.Announced(logger, announcement.Hub, reason);
        }
        if (announcements.Count > 0)
        {
            relay.Wake();
        }
        return announcements.Count;
    }

    /// <summary>What the hub receives: why, and an id that stays the same when the relay sends it again.</summary>
    internal static string Body(string reason, Guid id) => new JsonObject
    {
        ["reason"] = reason,
        ["id"] = id.ToString(),
    }.ToJsonString();

    private static string? ReadPid(string file)
    {
        try
        {
            var info = new FileInfo(file);
            // a pid file is a few bytes; anything big is not one
            return info.Exists && info.Length <= 64 ? File.ReadAllText(file) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SshdRestartAnnounced, Level = LogLevel.Information, Message = "Told hub {Hub} to re-create its forwards ({Reason})")]
        public static partial void Announced(ILogger logger, string hub, string reason);

        [LoggerMessage(EventId = LogEvents.SshdRestartDetected, Level = LogLevel.Information, Message = "sshd restarted (new pid in {PidFile})")]
        public static partial void SshdRestartDetected(ILogger logger, string pidFile);

        [LoggerMessage(EventId = LogEvents.SshdAnnouncementFailed, Level = LogLevel.Error, Message = "Announcing an sshd restart to the hubs failed")]
        public static partial void AnnouncementFailed(ILogger logger, Exception exception);
    }
}
