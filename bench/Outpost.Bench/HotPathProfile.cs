using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Outpost.Backends;
using Outpost.Bench.Load;
using Outpost.Hubs;
using Outpost.Servers;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.Bench;

/// <summary>One step of the poll path, timed alone: mean microseconds and allocated bytes per call.</summary>
public sealed record HotPathStep(string Name, double MicrosPerCall, double BytesPerCall);

/// <summary>
/// Times the poll path piece by piece, in process and one call at a time (no concurrency), so the
/// report can say where a poll's time goes: auth, opening a pooled SQLite connection, the raw query,
/// the store's <c>FindAsync</c> (query + mapping the row to a record + decrypting the handle), the poll use case's
/// <c>RunAsync</c>, and a whole HTTP poll of the Outpost and of the bare endpoint.
/// </summary>
public static class HotPathProfile
{
    public static async Task<IReadOnlyList<HotPathStep>> RunAsync(OutpostUnderTest outpost, Uri bareAddress, int iterations)
    {
        var services = outpost.Services;
        var credentials = services.GetRequiredService<HubCredentials>();
        var database = services.GetRequiredService<SqliteDatabase>();
        var store = services.GetRequiredService<IServerStore>();
        var poll = services.GetRequiredService<PollServer>();
        var codec = services.GetRequiredService<ServerSpecCodec>();
        var backends = services.GetRequiredService<BackendCatalog>();
        var key = new ServerKey(OutpostUnderTest.Hub, $"{PollBench.Prefix}0", PollBench.StartId);
        var protectedHandle = codec.Protect(new BackendHandle("{}"));
        var parallel = Environment.ProcessorCount * 2;
        await using var prepared = await PreparedSelect.OpenAsync(database);
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = outpost.Authorization;
        var outpostPoll = new Uri(outpost.BaseAddress, $"/services/{key.Name}/{key.StartId}");
        var barePoll = new Uri(bareAddress, $"/services/{key.Name}/{key.StartId}");

        return
        [
            await TimeAsync("hub auth: HubCredentials.VerifyAsync", iterations,
                async () => await credentials.VerifyAsync(OutpostUnderTest.Hub, outpost.Password, CancellationToken.None)),
            await TimeAsync("decrypt the handle: ServerSpecCodec.UnprotectHandle", iterations,
                () => { codec.UnprotectHandle(protectedHandle); return Task.CompletedTask; }),
            await TimeAsync("open + close a pooled SQLite connection", iterations,
                async () => { await using var connection = await database.OpenAsync(); }),
            await TimeAsync("open + raw SELECT of the row (no mapping to a record)", iterations,
                async () => await RawSelectAsync(database, key)),
            await TimeAsync($"open + raw SELECT, {parallel} concurrent callers (wall time / calls)", iterations,
                async () => await RawSelectAsync(database, key), parallel),
            await TimeAsync("the same SELECT, prepared once on a kept-open connection", iterations,
                async () => await prepared.ReadAsync(key)),
            await TimeAsync("IServerStore.FindAsync (the whole row)", iterations, async () => await store.FindAsync(key)),
            await TimeAsync($"IServerStore.FindAsync, {parallel} concurrent callers (wall time / calls)", iterations,
                async () => await store.FindAsync(key), parallel),
            await TimeAsync("IServerStore.FindPollStateAsync (the poll's read)", iterations,
                async () => await store.FindPollStateAsync(key)),
            await TimeAsync("PollServer.RunAsync (instant backend)", iterations,
                async () => await poll.RunAsync(key, collectLogs: false, new Dictionary<string, string>(), CancellationToken.None)),
            await TimeLocalStatusAsync(outpost, store, backends, iterations),
            await TimeAsync("HTTP poll of the Outpost, 1 connection", iterations,
                async () => { using var r = await client.GetAsync(outpostPoll); r.EnsureSuccessStatusCode(); }),
            await TimeAsync("HTTP poll of the bare endpoint, 1 connection", iterations,
                async () => { using var r = await client.GetAsync(barePoll); r.EnsureSuccessStatusCode(); }),
        ];
    }

    /// <summary>The local-process backend's status call (what a poll adds on that backend), on one running listener.</summary>
    private static async Task<HotPathStep> TimeLocalStatusAsync(OutpostUnderTest outpost, IServerStore store, BackendCatalog backends, int iterations)
    {
        const string name = "profile-local";
        await outpost.StartServerAsync(name, "s", OutpostUnderTest.LocalProfile);
        try
        {
            var record = await store.FindAsync(new ServerKey(OutpostUnderTest.Hub, name, "s"))
                ?? throw new InvalidOperationException("the local server just started is not stored");
            var backend = backends.Get(record.Backend);
            var handle = record.Handle!;
            return await TimeAsync("LocalProcessBackend.GetStatusAsync (running python3)", iterations,
                async () => await backend.GetStatusAsync(handle, CancellationToken.None));
        }
        finally
        {
            await outpost.StopServerAsync(name, "s");
        }
    }

    private const string SelectServer = """
        SELECT id, hub, name, start_id, user_name, user_id, backend, flavor, resource_name, phase, spec,
               handle, service_address, exit_code, error, start_date, end_date, last_update
        FROM servers WHERE hub = $hub AND name = $name AND start_id = $start_id
        """;

    private static async Task RawSelectAsync(SqliteDatabase database, ServerKey key)
    {
        await using var connection = await database.OpenAsync();
        await using var command = CreateSelect(connection);
        Bind(command, key);
        await ReadAllAsync(command);
    }

    private static SqliteCommand CreateSelect(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = SelectServer;
        command.Parameters.Add(new SqliteParameter("$hub", SqliteType.Text));
        command.Parameters.Add(new SqliteParameter("$name", SqliteType.Text));
        command.Parameters.Add(new SqliteParameter("$start_id", SqliteType.Text));
        return command;
    }

    private static void Bind(SqliteCommand command, ServerKey key)
    {
        command.Parameters["$hub"].Value = key.Hub;
        command.Parameters["$name"].Value = key.Name;
        command.Parameters["$start_id"].Value = key.StartId;
    }

    private static async Task ReadAllAsync(SqliteCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                _ = reader.GetValue(i);
            }
        }
    }

    /// <summary>What statement caching could give: one connection kept open, one command prepared once.</summary>
    private sealed class PreparedSelect(SqliteConnection connection, SqliteCommand command) : IAsyncDisposable
    {
        public static async Task<PreparedSelect> OpenAsync(SqliteDatabase database)
        {
            var connection = await database.OpenAsync();
            var command = CreateSelect(connection);
            command.Prepare();
            return new PreparedSelect(connection, command);
        }

        public Task ReadAsync(ServerKey key)
        {
            Bind(command, key);
            return ReadAllAsync(command);
        }

        public async ValueTask DisposeAsync()
        {
            await command.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Runs <paramref name="call"/> after a warm-up, from <paramref name="parallel"/> loops at once, <paramref name="iterations"/> times in all.</summary>
    private static async Task<HotPathStep> TimeAsync(string name, int iterations, Func<Task> call, int parallel = 1)
    {
        for (var i = 0; i < Math.Max(200, iterations / 10); i++)
        {
            await call();
        }
        var perLoop = iterations / parallel;
        iterations = perLoop * parallel;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perLoop; i++)
            {
                await call();
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new HotPathStep(name, elapsed.TotalMicroseconds / iterations, (double)bytes / iterations);
    }
}
