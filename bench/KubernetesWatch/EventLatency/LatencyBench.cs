using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Outpost.Backends.Kubernetes;
using Outpost.IntegrationTests.Backends.Kubernetes;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>
/// P7: starts the Outpost with the Kubernetes backend against the wire fake, fills the shared watch with
/// <see cref="LatencyOptions.Pods"/> running servers, then per round starts <see cref="LatencyOptions.Starting"/> more
/// and plays their pods' start-up (Scheduled, Pulling, Pulled, Created, Started Events, then phase Running) at a steady
/// rate. Each event is timed from the moment the fake flushed its watch line to the Outpost until the hub stand-in has
/// the progress event it became; a raw watch reader on the same fake is the baseline.
/// </summary>
internal static class LatencyBench
{
    private static readonly string[] EventSteps = ["Scheduled", "Pulling", "Pulled", "Created", "Started"];

    /// <summary>What the hub stand-in counts per round: the backend's "created", each Event, "running" and the Outpost's "started".</summary>
    private static readonly string[] Steps = [.. EventSteps.Select(s => "event:" + s), "Created", "Running", "Started"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(LatencyOptions.Help);
            return 0;
        }
        var options = LatencyOptions.Parse(args);
        var executable = Path.GetFullPath(options.Outpost ?? Environment.GetEnvironmentVariable("OUTPOST_EXECUTABLE")
                         ?? Path.Combine(RepoRoot(), "artifacts", "outpost", "Outpost"));
        if (!File.Exists(executable))
        {
            Console.Error.WriteLine($"no Outpost executable at {executable}: run scripts/publish-outpost, or pass --outpost");
            return 2;
        }
        var began = DateTimeOffset.UtcNow;
        var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var clock = Stopwatch.StartNew();

        await using var api = await FakeKubeApiServer.StartAsync();
        await using var hub = await HubReceiver.StartAsync();
        var writes = new ConcurrentDictionary<(bool Raw, long Rv), long>();
        api.WatchWritten = (_, client, rvs, at) =>
        {
            var raw = client == RawWatchReader.UserAgent;
            foreach (var rv in rvs.Where(v => v > 0))
            {
                writes.TryAdd((raw, rv), at);
            }
        };
        var filling = true;
        var podsByUser = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        api.PodCreated = (ns, name) =>
        {
            if (Volatile.Read(ref filling))
            {
                api.RunPodThroughStartup(ns, name);
            }
            else
            {
                podsByUser[api.Get("pods", ns, name)!["metadata"]!["labels"]![PodTemplate.UserLabel]!.GetValue<string>()] = name;
            }
        };

        var outpost = await OutpostUnderTest.StartAsync(executable, api.Address, options.Settings);
        var outbox = new OutboxTimes(outpost.DataDir);
        var ok = false;
        try
        {
            using var client = outpost.Client();
            Console.WriteLine($"Outpost {executable} (pid {outpost.Pid}), fake API server {api.Address}, hub stand-in {hub.Address}");

            // Fill: every server's pod goes through its whole start-up at once (5 Events, Running).
            var fillClock = Stopwatch.StartNew();
            var fillCpu = outpost.Cpu();
            var fillUsers = Enumerable.Range(0, options.Pods).Select(i => $"f{i:D5}").ToArray();
            await StartAllAsync(client, hub, fillUsers);
            await hub.WaitUntilAsync(() => hub.Count("Started") >= options.Pods, TimeSpan.FromMinutes(15), $"all {options.Pods} fill servers started");
            fillClock.Stop();
            var fillCpuUsed = outpost.Cpu() - fillCpu;
            Console.WriteLine($"fill: {options.Pods} servers running in {fillClock.Elapsed.TotalSeconds:0.0} s ({hub.Received} progress events), Outpost CPU {fillCpuUsed.TotalSeconds:0.0} s");
            Volatile.Write(ref filling, false);
            await Task.Delay(TimeSpan.FromSeconds(5)); // let the relay's last deliveries and the GC settle before reading memory
            var afterFill = outpost.Memory();

            await using var raw = new RawWatchReader(api.Address);
            await raw.StartAsync(OutpostUnderTest.Namespace, PodTemplate.InstanceSelector(OutpostUnderTest.InstanceName));

            var rounds = new List<LatencyRound>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                rounds.Add(await RoundAsync(round, options, api, hub, raw, outpost, outbox, client, writes, podsByUser));
                var r = rounds[^1];
                Console.WriteLine($"round {round}: Outpost p50 {LatencyRound.Percentile(r.Outpost, 50):0.0} ms, p99 {LatencyRound.Percentile(r.Outpost, 99):0.0} ms, " +
                                  $"max {r.Outpost.Max():0.0} ms; raw reader p50 {LatencyRound.Percentile(r.Raw, 50):0.00} ms, p99 {LatencyRound.Percentile(r.Raw, 99):0.00} ms; " +
                                  $"{r.Outpost.Length} events in {r.Seconds:0.0} s, Outpost CPU {r.OutpostCpuSeconds:0.0} s, RSS {r.ResidentAfter / 1e6:0} MB; " +
                                  $"watch → outbox p50 {LatencyRound.Percentile(r.ToOutbox, 50):0.0} / p99 {LatencyRound.Percentile(r.ToOutbox, 99):0.0} ms, " +
                                  $"outbox → hub p50 {LatencyRound.Percentile(r.OutboxToHub, 50):0.0} / p99 {LatencyRound.Percentile(r.OutboxToHub, 99):0.0} ms");
            }
            var (residentEnd, peak) = outpost.Memory();
            var result = new LatencyResult(options, rounds, afterFill.Resident, residentEnd, Math.Max(peak, outpost.PeakResidentSampled),
                fillClock.Elapsed.TotalSeconds, fillCpuUsed.TotalSeconds, began, loadBefore, File.ReadAllText("/proc/loadavg").Split(' ')[..3],
                clock.Elapsed.TotalSeconds, CommandLine(args), executable);
            Console.WriteLine();
            Console.WriteLine(LatencyReport.SummaryTable(result));
            if (options.Results is { } file)
            {
                LatencyReport.WriteSection(file, result);
                Console.WriteLine($"wrote the P7 section of {file}");
            }
            if (options.Json is { } json)
            {
                await File.WriteAllTextAsync(json, LatencyReport.Json(result));
            }
            ok = true;
            return 0;
        }
        finally
        {
            if (!ok)
            {
                Console.Error.WriteLine($"the Outpost's log: {outpost.LogFile}");
            }
            await outpost.DisposeAsync();
            outpost.Clean(keep: options.Keep || !ok);
        }
    }

    private static async Task<LatencyRound> RoundAsync(
        int round, LatencyOptions options, FakeKubeApiServer api, HubReceiver hub, RawWatchReader raw, OutpostUnderTest outpost, OutboxTimes outbox,
        HttpClient client, ConcurrentDictionary<(bool Raw, long Rv), long> writes, ConcurrentDictionary<string, string> podsByUser)
    {
        var ns = OutpostUnderTest.Namespace;
        var users = Enumerable.Range(0, options.Starting).Select(i => $"r{round}u{i:D5}").ToArray();
        var before = Steps.ToDictionary(s => s, hub.Count);
        bool AllArrived(string step) => hub.Count(step) >= before[step] + users.Length;
        await StartAllAsync(client, hub, users);
        // Every start has created its pod and told the hub it waits: from here on each progress event is caused by a pod event.
        await hub.WaitUntilAsync(() => AllArrived("Created"), TimeSpan.FromMinutes(2), $"round {round}: every pod created");
        var pods = users.ToDictionary(u => u, u => podsByUser[u]);

        var steps = EventSteps.Select(s => (Step: s, IsEvent: true)).Append((Step: "Running", IsEvent: false));
        var plan = steps.SelectMany(s => users.Select(u => (User: u, s.Step, s.IsEvent))).ToArray();
        var expected = new List<(string User, string Key, long Rv)>(plan.Length);
        var cpu = outpost.Cpu();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < plan.Length; i++)
        {
            // A steady pace: event i goes out at i / rate seconds.
            var due = TimeSpan.FromSeconds(i / options.Rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var (user, step, isEvent) = plan[i];
            var pod = pods[user];
            if (isEvent)
            {
                if (step == "Scheduled")
                {
                    api.SchedulePod(ns, pod);
                }
                var rv = api.AddPodEvent(ns, pod, "Normal", step, $"{step} ({pod})");
                expected.Add((user, "event:" + step, rv));
            }
            else
            {
                expected.Add((user, "Running", api.SetPodRunning(ns, pod)));
            }
        }
        await hub.WaitUntilAsync(() => Steps.All(AllArrived), TimeSpan.FromMinutes(3), $"round {round}: every progress event");
        clock.Stop();
        var cpuUsed = (outpost.Cpu() - cpu).TotalSeconds;
        await WaitAsync(() => expected.All(e => raw.Arrivals.ContainsKey(e.Rv)), TimeSpan.FromSeconds(30), "the raw reader's lines");
        var resident = outpost.Memory().Resident;

        var toOutpost = new List<double>();
        var toRaw = new List<double>();
        var toOutbox = new List<double>();
        var outboxToHub = new List<double>();
        var appended = outbox.Read(OutpostUnderTest.Hub, $"r{round}u");
        foreach (var (user, key, rv) in expected)
        {
            var written = writes.TryGetValue((false, rv), out var w) ? w
                : throw new InvalidOperationException($"the fake never wrote resourceVersion {rv} to the Outpost's watch");
            var arrived = hub.ArrivedAt(user, key)!.Value;
            toOutpost.Add(Stopwatch.GetElapsedTime(written, arrived).TotalMilliseconds);
            toRaw.Add(Stopwatch.GetElapsedTime(writes[(true, rv)], raw.Arrivals[rv]).TotalMilliseconds);
            if (appended.TryGetValue((user, key), out var at))
            {
                toOutbox.Add((at - written) * 1000.0 / Stopwatch.Frequency);
                outboxToHub.Add((arrived - at) * 1000.0 / Stopwatch.Frequency);
            }
        }

        // Stop this round's servers, so the next round again starts beside the same number of running pods.
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (user, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"/services/{user}/1");
            request.Headers.Add("execution-type", "async");
            using var response = await client.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"stop of {user}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });
        await WaitAsync(() => api.Names("pods", ns).Count == options.Pods, TimeSpan.FromMinutes(2), $"round {round}: pods deleted");
        return new LatencyRound(round, [.. toOutpost], [.. toRaw], [.. toOutbox], [.. outboxToHub], clock.Elapsed.TotalSeconds, cpuUsed, resident);
    }

    /// <summary>Starts a server per user (asynchronous starts, as the plugin sends them), 32 requests at a time.</summary>
    private static Task StartAllAsync(HttpClient client, HubReceiver hub, IReadOnlyList<string> users) =>
        Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (user, ct) =>
        {
            var body = new Dictionary<string, object>
            {
                ["name"] = user,
                ["env"] = new Dictionary<string, string>
                {
                    ["JUPYTERHUB_USER"] = user,
                    ["JUPYTERHUB_API_TOKEN"] = $"token-{user}-0123456789abcdef",
                    ["JUPYTERHUB_EVENTS_URL"] = hub.EventsUrl(user),
                    ["JUPYTERHUB_API_URL"] = new Uri(hub.Address, "/hub/api").ToString(),
                    ["JUPYTERHUB_SERVICE_URL"] = $"http://0.0.0.0:8888/user/{user}/",
                },
                ["user_options"] = new Dictionary<string, object> { ["start_id"] = "1" },
                ["misc"] = new Dictionary<string, object>(),
                ["certs"] = new Dictionary<string, string>(),
                ["internal_trust_bundles"] = new Dictionary<string, string>(),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/services") { Content = JsonContent.Create(body) };
            request.Headers.Add("execution-type", "async");
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
            {
                throw new InvalidOperationException($"start of {user}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The arguments as given, with paths inside the repository written relative to it.</summary>
    private static string CommandLine(string[] args) =>
        string.Join(' ', new[] { "p7" }.Concat(args)).Replace(RepoRoot() + "/", "", StringComparison.Ordinal);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Outpost.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
