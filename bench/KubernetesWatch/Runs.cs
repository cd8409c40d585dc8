using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.Bench.KubernetesWatch;

/// <summary>The measured runs.</summary>
internal static class Runs
{
    /// <summary>The reflector (typed client, System.Text.Json models, cache of full pods) follows one watch until every pod runs.</summary>
    public static async Task<RunResult> ReflectorAsync(FakeChild child, string ns, int pods)
    {
        using var client = new KubeClient(new KubernetesClientConfiguration { Host = child.Address.ToString() }, TimeSpan.FromSeconds(60));
        await using var reflector = new KubeReflector<V1Pod>(client, ns, null, null, 3600, TimeProvider.System, NullLogger.Instance);
        await reflector.WaitForSyncAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        await WaitForWatchAsync(reflector);
        await child.GenerateAsync(ns, pods);
        var (allocatedBefore, retainedBefore) = Memory();
        var clock = Stopwatch.StartNew();
        var cpu = Cpu();
        await child.ReleaseAsync();
        // Every applied change bumps Version; wait for all 2N, then check the outcome once.
        var target = reflector.Version + 2 * pods;
        while (reflector.Version < target)
        {
            var changed = reflector.Changed;
            if (reflector.Version >= target)
            {
                break;
            }
            await changed.WaitAsync(TimeSpan.FromMinutes(5));
        }
        clock.Stop();
        var cpuUsed = Cpu() - cpu;
        if (reflector.Count != pods || reflector.Items.Any(p => p.Status?.Phase != "Running"))
        {
            throw new InvalidOperationException("the reflector did not end with every pod running");
        }
        var (allocatedAfter, retainedAfter) = Memory();
        GC.KeepAlive(reflector);
        return new RunResult("KubeReflector<V1Pod> (typed, full objects cached)", clock.Elapsed, cpuUsed, 2 * pods,
            allocatedAfter - allocatedBefore, retainedAfter - retainedBefore);
    }

    /// <summary>A second reflector lists the same N running pods (what a 410 Gone or an Outpost restart costs).</summary>
    public static async Task<RunResult> RelistAsync(FakeChild child, string ns, int pods)
    {
        using var client = new KubeClient(new KubernetesClientConfiguration { Host = child.Address.ToString() }, TimeSpan.FromSeconds(60));
        var (allocatedBefore, retainedBefore) = Memory();
        var clock = Stopwatch.StartNew();
        var cpu = Cpu();
        await using var reflector = new KubeReflector<V1Pod>(client, ns, null, null, 3600, TimeProvider.System, NullLogger.Instance);
        await reflector.WaitForSyncAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        clock.Stop();
        var cpuUsed = Cpu() - cpu;
        if (reflector.Count != pods)
        {
            throw new InvalidOperationException($"listed {reflector.Count} pods, expected {pods}");
        }
        var (allocatedAfter, retainedAfter) = Memory();
        GC.KeepAlive(reflector);
        return new RunResult($"list of {pods} running pods (relist)", clock.Elapsed, cpuUsed, pods, allocatedAfter - allocatedBefore, retainedAfter - retainedBefore);
    }

    /// <summary>Baseline: the same watch read as raw lines; only type, name and phase are pulled out (Utf8JsonReader), name → phase kept.</summary>
    public static async Task<RunResult> RawLinesAsync(FakeChild child, string ns, int pods)
    {
        using var http = new HttpClient { BaseAddress = child.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var listResponse = await http.GetAsync($"/api/v1/namespaces/{ns}/pods");
        var rv = JsonDocument.Parse(await listResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={rv}&timeoutSeconds=3600");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var phases = new Dictionary<string, string>(StringComparer.Ordinal);
        await child.GenerateAsync(ns, pods);
        var (allocatedBefore, retainedBefore) = Memory();
        var clock = Stopwatch.StartNew();
        var cpu = Cpu();
        await child.ReleaseAsync();
        var events = 0;
        var running = 0;
        while (running < pods && await reader.ReadLineAsync() is { } line)
        {
            var (name, phase) = NameAndPhase(Encoding.UTF8.GetBytes(line));
            events++;
            if (phase == "Running" && phases.GetValueOrDefault(name) != "Running")
            {
                running++;
            }
            phases[name] = phase;
        }
        clock.Stop();
        var cpuUsed = Cpu() - cpu;
        var (allocatedAfter, retainedAfter) = Memory();
        GC.KeepAlive(phases);
        return new RunResult("baseline: raw lines + Utf8JsonReader (name, phase only)", clock.Elapsed, cpuUsed, events,
            allocatedAfter - allocatedBefore, retainedAfter - retainedBefore);
    }

    /// <summary>object.metadata.name and object.status.phase of one watch line, found by walking the tokens.</summary>
    private static (string Name, string Phase) NameAndPhase(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        string? name = null;
        string? phase = null;
        var path = new Stack<string>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject:
                    path.Push(property ?? "");
                    property = null;
                    break;
                case JsonTokenType.EndObject:
                    path.Pop();
                    break;
                case JsonTokenType.StartArray:
                    reader.Skip();
                    property = null;
                    break;
                case JsonTokenType.String when path.Count == 3 && property == "name" && path.Peek() == "metadata":
                    name = reader.GetString();
                    break;
                case JsonTokenType.String when path.Count == 3 && property == "phase" && path.Peek() == "status":
                    phase = reader.GetString();
                    break;
                default:
                    property = null;
                    break;
            }
        }
        return (name ?? "", phase ?? "");
    }

    /// <summary>The reflector opens its watch right after the list; give it a moment so the burst goes to that watch.</summary>
    private static async Task WaitForWatchAsync(KubeReflector<V1Pod> reflector)
    {
        while (reflector.Watches == 0)
        {
            await Task.Delay(10);
        }
        await Task.Delay(200);
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static (long Allocated, long Retained) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalMemory(forceFullCollection: true));
    }
}
