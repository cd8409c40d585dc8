using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Outpost.Tests.Storage.Postgres;

namespace Outpost.IntegrationTests.Storage;

/// <summary>
/// Several real <c>outpost serve</c> processes sharing one PostgreSQL (a private schema of the tests'
/// server): each with its own data folder and log file, short leases so failover takes seconds.
/// On a loaded machine a starved leader still misses its renewals now and then: its term ends and it
/// takes the lease again ("stopped leading" then "is now the leader" in its log), which cuts off the
/// background work in flight. The tests allow for that; they do not assume terms never end.
/// </summary>
public sealed class OutpostReplicas : IAsyncDisposable
{
    public const int LeaseSeconds = 4;

    private readonly PostgresServer _server;
    private readonly string _schema;

    private OutpostReplicas(PostgresServer server, string schema, string root, OutpostProcess[] replicas)
    {
        _server = server;
        _schema = schema;
        Root = root;
        Replicas = replicas;
    }

    /// <summary>Folder of the replicas' data folders and logs (<c>r0.log</c>, …), also free for pid files.</summary>
    public string Root { get; }

    public IReadOnlyList<OutpostProcess> Replicas { get; }

    public OutpostProcess this[int index] => Replicas[index];

    /// <summary>The database password, which must appear in no log.</summary>
    public string DatabasePassword => new NpgsqlConnectionStringBuilder(_server.ConnectionString).Password ?? "";

    /// <summary>Starts <paramref name="count"/> replicas at once (they migrate the fresh schema together).</summary>
    public static async Task<OutpostReplicas> StartAsync(int count, Dictionary<string, string>? extra = null)
    {
        var server = await PostgresServer.SharedAsync();
        var schema = await server.CreateSchemaAsync();
        var root = Directory.CreateTempSubdirectory("outpost-replicas-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Outpost:Storage:Provider"] = "Postgres",
            ["Outpost:Storage:ConnectionString"] = server.ConnectionStringFor(schema),
            ["Outpost:Storage:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Outpost:Replicas:LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["Outpost:Replicas:RenewSeconds"] = "1",
            ["Outpost:Replicas:ReconcileSeconds"] = "1",
            ["Logging:LogLevel:Outpost.Replicas"] = "Information",
            ["Logging:LogLevel:Outpost.Storage"] = "Information",
            ["Logging:LogLevel:Outpost.Servers"] = "Information",
            ["Logging:LogLevel:Outpost.Flavors"] = "Information",
            ["Logging:LogLevel:Outpost.Events"] = "Information",
            ["Logging:LogLevel:Outpost.Backends"] = "Information",
            // Wall-clock times, so the logs of a failed run can be laid next to the test's own timeline.
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        var starting = Enumerable.Range(0, count).Select(i =>
            OutpostProcess.StartAsync(Directory.CreateDirectory(Path.Combine(root, $"r{i}")).FullName, logFile: Path.Combine(root, $"r{i}.log"), extra: settings)).ToList();
        try
        {
            return new OutpostReplicas(server, schema, root, await Task.WhenAll(starting));
        }
        catch
        {
            // One did not come up: stop the others, which no test would stop otherwise.
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Indexes of the replicas whose <c>/metrics</c> say they lead (replicas in <paramref name="dead"/> are skipped).</summary>
    public async Task<List<int>> LeadersAsync(params int[] dead)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var leaders = new List<int>();
        for (var i = 0; i < Replicas.Count; i++)
        {
            if (!dead.Contains(i) && (await client.GetStringAsync($"{Replicas[i].BaseUrl}/metrics")).Contains("\noutpost_leader 1\n", StringComparison.Ordinal))
            {
                leaders.Add(i);
            }
        }
        return leaders;
    }

    /// <summary>Waits until exactly one live replica leads; returns it.</summary>
    public async Task<int> WaitForOneLeaderAsync(int timeoutSeconds, params int[] dead)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var leaders = await LeadersAsync(dead);
            if (leaders.Count == 1)
            {
                return leaders[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected one leader, found [{string.Join(", ", leaders)}]");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until the shared outbox is empty, as a live replica's <c>/metrics</c> reports it: every stored event has
    /// been sent and finished, so nothing more reaches the hub unless something new happens.
    /// </summary>
    public async Task WaitForEmptyOutboxAsync(int timeoutSeconds = 30, params int[] dead)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var live = Enumerable.Range(0, Replicas.Count).First(i => !dead.Contains(i));
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!(await client.GetStringAsync($"{Replicas[live].BaseUrl}/metrics")).Contains("\noutpost_event_relay_backlog 0\n", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"events still waiting in the outbox after {timeoutSeconds} s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Where the fake server of <paramref name="name"/> writes its pid (JUPYTER_TEST_PIDFILE).</summary>
    public string PidFile(string name) => Path.Combine(Root, $"{name}.pid");

    /// <summary>Every replica's log so far.</summary>
    public string Logs() => string.Join('\n', Directory.GetFiles(Root, "r*.log").Select(f =>
    {
        using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }
        // Servers a failed test left behind.
        foreach (var pidFile in Directory.GetFiles(Root, "*.pid"))
        {
            if (int.TryParse(File.ReadAllText(pidFile), out var pid) && Processes.IsAlive(pid))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // already gone
                }
            }
        }
        await _server.DropSchemaAsync(_schema);
    }
}
