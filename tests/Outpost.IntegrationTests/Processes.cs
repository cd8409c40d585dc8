namespace Outpost.IntegrationTests;

/// <summary>Helpers to look at processes the tests' servers run as.</summary>
public static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The pids whose parent is <paramref name="pid"/> and whose command line contains <paramref name="match"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid, string match = "")
    {
        var children = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var child))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText($"{entry}/stat");
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent == pid && File.ReadAllText($"{entry}/cmdline").Replace('\0', ' ').Contains(match, StringComparison.Ordinal))
                {
                    children.Add(child);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return children;
    }

    /// <summary>Waits until <paramref name="pid"/> is gone from /proc altogether: ended and reaped, not a zombie.</summary>
    public static async Task WaitForReapedAsync(int pid, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Directory.Exists($"/proc/{pid}"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"process {pid} was not reaped (state: {File.ReadAllText($"/proc/{pid}/stat")})");
            }
            await Task.Delay(50);
        }
    }

    public static async Task<int> ReadPidAsync(string pidFile)
    {
        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile), out var pid))
            {
                return pid;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{pidFile} was not written");
    }

    public static async Task WaitForExitAsync(int pid, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"process {pid} is still alive");
            }
            await Task.Delay(50);
        }
    }
}
