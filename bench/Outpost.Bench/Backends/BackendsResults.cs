using Outpost.Bench.Concurrency;
using Outpost.Bench.Load;

namespace Outpost.Bench.Backends;

/// <summary>One P1 run of one backend (one round, one concurrency).</summary>
public sealed record ArmPoll(int Round, BackendArm Arm, LoadResult Load);

/// <summary>P2 of one backend: sync start and sync stop, one server at a time, in milliseconds.</summary>
public sealed record ArmStartStop(BackendArm Arm, IReadOnlyList<double> StartMs, IReadOnlyList<double> StopMs);

/// <summary>P3 of one backend in one run: the burst of sync starts, and how long stopping them all took.</summary>
public sealed record ArmBurst(BackendArm Arm, StartBurst Burst, double StopAllSeconds, int StopErrors);

/// <summary>
/// P4 of one backend: resident sets (bytes) of its Outpost (settled after a full collection) with no servers and with
/// <c>Servers</c> running, and of the backend's own processes: the Outpost's descendants (the spawner host and its
/// keeper; the Local backend's servers), or Podman's service, conmons and containers.
/// </summary>
public sealed record ArmMemory(BackendArm Arm, int Servers, long OutpostIdle, long OutpostRunning, long ChildrenIdle, long ChildrenRunning, double FillSeconds)
{
    public double OutpostBytesPerServer => (OutpostRunning - OutpostIdle) / (double)Servers;

    public double ChildrenBytesPerServer => (ChildrenRunning - ChildrenIdle) / (double)Servers;
}

/// <summary>P5 of one backend: per restart, seconds from the launch until a stored server's poll answers running.</summary>
public sealed record ArmRestart(BackendArm Arm, int Servers, IReadOnlyList<double> FirstRunningSeconds);

/// <summary>Everything one P11 run measured.</summary>
public sealed record BackendsResults(
    IReadOnlyList<BackendArm> Arms,
    int Servers,
    int BurstSize,
    string Engine,
    IReadOnlyList<ArmPoll> Polls,
    IReadOnlyList<ArmStartStop> StartStops,
    IReadOnlyList<ArmBurst> Bursts,
    IReadOnlyList<ArmMemory> Memory,
    IReadOnlyList<ArmRestart> Restarts);
