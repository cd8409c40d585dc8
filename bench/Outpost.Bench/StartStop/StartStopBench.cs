using System.Diagnostics;
using Outpost.Bench.Hosts;

namespace Outpost.Bench.StartStop;

/// <summary>Timings of one kind of start and stop, in milliseconds, one entry per iteration.</summary>
public sealed record StartStopTimings(string Name, IReadOnlyList<double> StartMs, IReadOnlyList<double> StopMs)
{
    public double StartP50 => Stats.Median(StartMs);

    public double StopP50 => Stats.Median(StopMs);
}

/// <summary>P2 in one run: the Outpost's start and stop with the instant backend, and the same calls to the bare endpoint.</summary>
public sealed record InstantRun(int Run, StartStopTimings Outpost, StartStopTimings Bare);

/// <summary>
/// Sync starts and sync stops through the real API, one after another: with the instant backend
/// (the Outpost's own cost; the bare endpoint answering the same calls is the HTTP round trip alone),
/// and with the local-process backend running <c>listen.py</c>, interleaved with the same command
/// spawned directly (<see cref="DirectCommand"/>) so both see the same noise.
/// </summary>
public static class StartStopBench
{
    public static async Task<IReadOnlyList<InstantRun>> InstantAsync(ChildHost outpost, ChildHost bare, int runs, int iterations, int warmup, TextWriter log)
    {
        var results = new List<InstantRun>();
        for (var run = 1; run <= runs; run++)
        {
            var bareTimings = await TimeAsync(bare.Client, "bare endpoint, same calls", $"instant-r{run}-", iterations, warmup, profile: null);
            var outpostTimings = await TimeAsync(outpost.Client, "Outpost, instant backend", $"instant-r{run}-", iterations, warmup, profile: null);
            results.Add(new InstantRun(run, outpostTimings, bareTimings));
            log.WriteLine($"  run {run}: Outpost start p50 {outpostTimings.StartP50:0.00} ms, stop p50 {outpostTimings.StopP50:0.00} ms | " +
                          $"bare start p50 {bareTimings.StartP50:0.00} ms, stop p50 {bareTimings.StopP50:0.00} ms");
        }
        return results;
    }

    public static async Task<(StartStopTimings Outpost, StartStopTimings Direct)> LocalProcessAsync(
        ChildHost outpost, string python, string script, string home, int iterations, int warmup)
    {
        Directory.CreateDirectory(home);
        var outpostStarts = new List<double>();
        var outpostStops = new List<double>();
        var directStarts = new List<double>();
        var directStops = new List<double>();
        for (var i = 0; i < warmup + iterations; i++)
        {
            var direct = await DirectCommand.RunOnceAsync(python, script, home);
            var (start, stop) = await ThroughApiAsync(outpost.Client, $"local{i}", BenchHost.LocalProfile);
            if (i >= warmup)
            {
                directStarts.Add(direct.StartMs);
                directStops.Add(direct.StopMs);
                outpostStarts.Add(start);
                outpostStops.Add(stop);
            }
        }
        return (new StartStopTimings("Outpost, local-process backend", outpostStarts, outpostStops),
                new StartStopTimings("same command, spawned directly", directStarts, directStops));
    }

    private static async Task<StartStopTimings> TimeAsync(BenchClient client, string name, string prefix, int iterations, int warmup, string? profile)
    {
        var starts = new List<double>();
        var stops = new List<double>();
        for (var i = 0; i < warmup + iterations; i++)
        {
            var (start, stop) = await ThroughApiAsync(client, $"{prefix}{i}", profile);
            if (i >= warmup)
            {
                starts.Add(start);
                stops.Add(stop);
            }
        }
        return new StartStopTimings(name, starts, stops);
    }

    private static async Task<(double StartMs, double StopMs)> ThroughApiAsync(BenchClient client, string name, string? profile)
    {
        var started = Stopwatch.GetTimestamp();
        await client.StartServerAsync(name, "s", profile);
        var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var stopping = Stopwatch.GetTimestamp();
        await client.StopServerAsync(name, "s");
        return (startMs, Stopwatch.GetElapsedTime(stopping).TotalMilliseconds);
    }
}
