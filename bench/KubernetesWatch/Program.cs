using System.Diagnostics;
using System.Globalization;
using Outpost.Bench.KubernetesWatch;

// Tracks N pods (default 5,000) through one watch: N ADDED + N MODIFIED (Pending → Running) events.
// The fake API server runs in a child process so that its work does not count against the client.
// Measured: the typed client + KubeReflector cache, against a baseline that reads the same stream as raw lines and
// pulls out name and phase with Utf8JsonReader. Usage: dotnet run -c Release --project bench/KubernetesWatch [-- pods]

if (args.Length > 0 && args[0] == "p7")
{
    return await Outpost.Bench.KubernetesWatch.EventLatency.LatencyBench.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "--serve")
{
    await FakeHost.ServeAsync();
    return 0;
}

var pods = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
await using var child = await FakeChild.StartAsync();
Console.WriteLine($"Fake API server (child process) at {child.Address}; tracking {pods} pods, {2 * pods} watch events per run.");
Console.WriteLine();

// Warm-up (JIT, connection pools) with a tenth of the pods, not reported.
await Runs.RawLinesAsync(child, "warm-raw", Math.Max(1, pods / 10));
await Runs.ReflectorAsync(child, "warm-reflector", Math.Max(1, pods / 10));

var baseline = await Runs.RawLinesAsync(child, "bench-raw", pods);
var reflector = await Runs.ReflectorAsync(child, "bench-reflector", pods);
var relist = await Runs.RelistAsync(child, "bench-reflector", pods);

Console.WriteLine("| run | wall time | client CPU | events/s | allocated | retained after GC |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var r in new[] { baseline, reflector, relist })
{
    Console.WriteLine($"| {r.Name} | {r.Elapsed.TotalMilliseconds:F0} ms | {r.Cpu.TotalMilliseconds:F0} ms | {r.Events / r.Elapsed.TotalSeconds:F0} | {r.Allocated / 1048576.0:F1} MiB | {r.Retained / 1048576.0:F1} MiB |");
}
Console.WriteLine();
Console.WriteLine($"Reflector vs raw lines: {reflector.Elapsed.TotalMilliseconds / baseline.Elapsed.TotalMilliseconds:F2}x wall time, " +
                  $"{reflector.Cpu.TotalMilliseconds / baseline.Cpu.TotalMilliseconds:F2}x client CPU, " +
                  $"{(double)reflector.Allocated / baseline.Allocated:F2}x allocation.");
Console.WriteLine($"Peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB.");
Console.WriteLine($"Producer (child) time to queue the events, per run (not measured above): {string.Join(", ", child.ProducerTimes.Skip(2).Select(t => $"{t.TotalMilliseconds:F0} ms"))}.");
return 0;
