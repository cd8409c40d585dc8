using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Hubs;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Wire;

namespace Outpost.Servers;

/// <summary>
/// Stops servers their hub no longer knows about: for every hub with cleanup configured, asks the hub
/// for its running servers (<c>["{user_id}_{server}_{start_id}", …]</c>) and stops running servers
/// missing from that list once they are older than the grace period. A hub that cannot be asked is
/// skipped for that round; nothing is stopped on a failed answer. Only the leading replica sweeps.
/// </summary>
public sealed partial class HubOrphanSweeper(
    IServerStore store,
    ServerStopper stopper,
    IHttpClientFactory httpClients,
    IOptions<HubsOptions> hubs,
    ILeadership leadership,
    TimeProvider time,
    ILogger<HubOrphanSweeper> logger) : BackgroundService
{
    public const string HttpClientName = "hub-cleanup";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(SweepWhileLeaderAsync, stoppingToken);

    private async Task SweepWhileLeaderAsync(CancellationToken stoppingToken)
    {
        var configured = hubs.Value.Hubs.Where(h => !string.IsNullOrEmpty(h.Value.Cleanup?.Url)).ToList();
        if (configured.Count == 0)
        {
            return;
        }
        var interval = TimeSpan.FromSeconds(configured.Min(h => h.Value.Cleanup!.IntervalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var (hub, options) in configured)
            {
                try
                {
                    await SweepAsync(hub, options.Cleanup!, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.HubNotAsked(logger, hub, ex.Message);
                }
            }
            await Task.Delay(interval, time, stoppingToken);
        }
    }

    internal async Task SweepAsync(string hub, HubCleanupOptions cleanup, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, cleanup.Url);
        request.Headers.Authorization = new AuthenticationHeaderValue("token", cleanup.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
        response.EnsureSuccessStatusCode();
        var known = (await response.Content.ReadFromJsonAsync(Wire.WireJson.StringArray, timeout.Token) ?? []).ToHashSet(StringComparer.Ordinal);

        var now = time.GetUtcNow();
        foreach (var record in await store.ListAsync(hub, cancellationToken))
        {
            var id = $"{record.UserId}_{record.Key.Name}_{record.Key.StartId}";
            if (record.Phase == ServerPhase.Running && !known.Contains(id) && now - record.StartDate > TimeSpan.FromSeconds(cleanup.GraceSeconds))
            {
                Log.Orphan(logger, record.Key.ToString());
                await stopper.StopAsync(record.Key, collectLogs: false, waitForStop: true, cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.OrphanStopped, Level = LogLevel.Information, Message = "{Server} is unknown to its hub; stopping it")]
        public static partial void Orphan(ILogger logger, string server);

        [LoggerMessage(EventId = LogEvents.OrphanCheckSkipped, Level = LogLevel.Warning, Message = "Could not ask hub {Hub} for its servers, nothing stopped this round: {Reason}")]
        public static partial void HubNotAsked(ILogger logger, string hub, string reason);
    }
}
