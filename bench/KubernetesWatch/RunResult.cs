namespace Outpost.Bench.KubernetesWatch;

/// <summary>One measured run.</summary>
internal sealed record RunResult(string Name, TimeSpan Elapsed, TimeSpan Cpu, int Events, long Allocated, long Retained);
