using System.Diagnostics;
using System.Runtime;

namespace Outpost.Bench.Hosts;

/// <summary>
/// What a host process reports about its runtime at <c>GET /bench/runtime</c>; the bench takes one before
/// and one after a load run, so the report can say how many collections ran and how long they paused it.
/// </summary>
public sealed record RuntimeCounters(
    int Gen0, int Gen1, int Gen2, double PauseMs, long AllocatedBytes, int ThreadPoolThreads, long CompletedWorkItems,
    long LockContentions, double CpuMs, bool ServerGc, long HeapBytes)
{
    public static RuntimeCounters Now()
    {
        using var process = Process.GetCurrentProcess();
        return new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.GetTotalAllocatedBytes(), ThreadPool.ThreadCount, ThreadPool.CompletedWorkItemCount, Monitor.LockContentionCount,
            process.TotalProcessorTime.TotalMilliseconds, GCSettings.IsServerGC, GC.GetGCMemoryInfo().HeapSizeBytes);
    }

    /// <summary>The change from <paramref name="before"/> to this (thread count: this one's).</summary>
    public RuntimeCounters Since(RuntimeCounters before) => new(
        Gen0 - before.Gen0, Gen1 - before.Gen1, Gen2 - before.Gen2, PauseMs - before.PauseMs, AllocatedBytes - before.AllocatedBytes,
        ThreadPoolThreads, CompletedWorkItems - before.CompletedWorkItems, LockContentions - before.LockContentions, CpuMs - before.CpuMs, ServerGc, HeapBytes);

    /// <summary>
    /// Maps <c>GET /bench/runtime</c> and <c>POST /bench/gc</c> (a full, compacting, blocking collection, so
    /// the resident set measured after it is what the process keeps, not garbage waiting for the next GC).
    /// </summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/bench/runtime", () => TypedResults.Ok(Now())).AllowAnonymous();
        app.MapPost("/bench/gc", () =>
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return TypedResults.NoContent();
        }).AllowAnonymous();
    }
}
