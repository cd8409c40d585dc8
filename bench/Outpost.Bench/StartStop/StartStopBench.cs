using System.Diagnostics;

namespace Outpost.Bench.StartStop;

/// <summary>Timings of one kind of start and stop, in milliseconds, one entry per iteration.</summary>
public sealed record StartStopTimings(string Name, IReadOnlyList<double> StartMs, IReadOnlyList<double> StopMs);

/// <summary>
/// Sync starts and sync stops through the real API, one after another: with the instant backend
/// (the Outpost's own cost), and with the local-process backend running <c>listen.py</c>, interleaved
/// with the same command spawned directly (<see cref="DirectCommand"/>) so both see the same noise.
/// </summary>
public static class StartStopBench
{
    public static async Task<StartStopTimings> InstantAsync(OutpostUnderTest outpost, int iterations, int warmup)
    {
        var starts = new List<double>();
        var stops = new List<double>();
        for (var i = 0; i < warmup + iterations; i++)
        {
            var (start, stop) = await ThroughApiAsync(outpost, $"instant{i}", profile: null);
            if (i >= warmup)
            {
                starts.Add(start);
                stops.Add(stop);
            }
        }
        return new StartStopTimings("Outpost, instant backend", starts, stops);
    }

    public static async Task<(StartStopTimings Outpost, StartStopTimings Direct)> LocalProcessAsync(
        OutpostUnderTest outpost, string python, string script, int iterations, int warmup)
    {
        var home = Path.Combine(outpost.DataDir, "direct-home");
        Directory.CreateDirectory(home);
        var outpostStarts = new List<double>();
        var outpostStops = new List<double>();
        var directStarts = new List<double>();
        var directStops = new List<double>();
        for (var i = 0; i < warmup + iterations; i++)
        {
            var direct = await DirectCommand.RunOnceAsync(python, script, home);
            var (start, stop) = await ThroughApiAsync(outpost, $"local{i}", OutpostUnderTest.LocalProfile);
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

    private static async Task<(double StartMs, double StopMs)> ThroughApiAsync(OutpostUnderTest outpost, string name, string? profile)
    {
        var started = Stopwatch.GetTimestamp();
        await outpost.StartServerAsync(name, "s", profile);
        var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var stopping = Stopwatch.GetTimestamp();
        await outpost.StopServerAsync(name, "s");
        return (startMs, Stopwatch.GetElapsedTime(stopping).TotalMilliseconds);
    }
}
