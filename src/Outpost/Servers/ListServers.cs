using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// The "list a hub's servers" use case; with <c>withPoll</c> every entry also carries its poll answer, so a hub polls
/// all its servers with one request. The answer is <see cref="PollServer"/>'s for each server (the same store read,
/// the store's poll cache, the same backend status call), never another hub's servers: the list is the hub's own.
/// </summary>
public sealed class ListServers(IServerStore store, PollServer poll)
{
    /// <summary>Backend status calls in flight at once for one list: backends that ask a scheduler per server
    /// (a Slurm <c>squeue</c>) overlap, and one hub's list cannot take every thread of the Outpost.</summary>
    public const int PollParallelism = 16;

    private static readonly IReadOnlyDictionary<string, string> NoAuthState = new Dictionary<string, string>();

    public async Task<ServerSummary[]> RunAsync(string hub, CancellationToken cancellationToken) =>
        await RunAsync(hub, withPoll: false, cancellationToken);

    public async Task<ServerSummary[]> RunAsync(string hub, bool withPoll, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(hub, cancellationToken);
        if (!withPoll)
        {
            return [.. records.Select(ServerSummary.From)];
        }
        var summaries = new ServerSummary?[records.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = PollParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, records.Count), options, async (i, token) =>
        {
            var record = records[i];
            // No auth-state headers: a bulk read refreshes nobody's auth state (a hub that sends them polls one by one).
            var result = await poll.RunAsync(record.Key, collectLogs: false, NoAuthState, token);
            summaries[i] = result switch
            {
                PollServerResult.Polled polled => ServerSummary.From(record) with { Poll = new PolledStatus(polled.Status) },
                PollServerResult.Refused refused => ServerSummary.From(record) with { Poll = new PolledStatus(null, refused.Refusal.Message) },
                // Removed since it was listed: its own poll would answer 404 now, so it is left out like any unknown server.
                _ => null,
            };
        });
        return [.. summaries.OfType<ServerSummary>()];
    }
}
