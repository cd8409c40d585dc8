using System.Globalization;

namespace Outpost.Bench.Backends;

/// <summary>Processes read from /proc: a process with its descendants, and its command line.</summary>
public static class ProcessTree
{
    public static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture));

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The process's children (every thread's), then theirs; empty when it is gone.</summary>
    public static IEnumerable<int> Descendants(int pid)
    {
        var found = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                found.AddRange(File.ReadAllText(Path.Combine(task, "children"))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
            }
        }
        catch (IOException)
        {
            return found;
        }
        return found.Concat(found.ToArray().SelectMany(Descendants));
    }

    /// <summary>VmRSS of one process in bytes; 0 when it is gone (or a kernel thread).</summary>
    public static long OwnResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>VmRSS of the process and all its descendants, in bytes.</summary>
    public static long ResidentBytes(int pid) => OwnResidentBytes(pid) + Descendants(pid).Sum(OwnResidentBytes);

    /// <summary>VmRSS of the process's descendants only, in bytes.</summary>
    public static long DescendantsResidentBytes(int pid) => Descendants(pid).Sum(OwnResidentBytes);
}
