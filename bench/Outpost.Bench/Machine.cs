using System.Runtime.InteropServices;

namespace Outpost.Bench;

/// <summary>What the report says about the machine a run used.</summary>
public static class Machine
{
    public static int Cores => Environment.ProcessorCount;

    public static string Memory
    {
        get
        {
            var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kib)
                ? $"{kib / 1024.0 / 1024.0:0.0} GiB"
                : "unknown";
        }
    }

    public static string Cpu =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    /// <summary>1-, 5- and 15-minute load averages: how busy the machine was around the run.</summary>
    public static string LoadAverage => string.Join(' ', ReadLines("/proc/loadavg").FirstOrDefault()?.Split(' ').Take(3) ?? ["unknown"]);

    public static string Runtime => $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, server GC {System.Runtime.GCSettings.IsServerGC}";

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
