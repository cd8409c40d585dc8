using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Outpost.Bench.Load;

/// <summary>Debian's <c>wrk</c> with <c>poll.lua</c>: a C load generator in its own process, so it is not the bottleneck.</summary>
public sealed class WrkLoad(string wrkPath, int threads) : ILoadGenerator
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Load", "poll.lua");

    public string Description { get; } = $"{Version(wrkPath)}, {threads} threads";

    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "wrk"))
            .FirstOrDefault(File.Exists);

    public async Task<LoadResult> RunAsync(string target, Uri baseAddress, PollTargets targets, int connections, TimeSpan duration)
    {
        var info = new ProcessStartInfo(wrkPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"-t{Math.Min(threads, connections)}", $"-c{connections}", $"-d{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "5s",
            "-s", Script, baseAddress.ToString().TrimEnd('/'), "--",
            targets.Prefix, targets.Count.ToString(CultureInfo.InvariantCulture), targets.StartId, targets.Authorization ?? "-", targets.Route,
        })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK_JSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no summary (exit {process.ExitCode}): {output}{await stderr}");
        using var json = JsonDocument.Parse(line["WRK_JSON ".Length..]);
        var r = json.RootElement;
        long Get(string name) => r.GetProperty(name).GetInt64();
        var errors = Get("connect") + Get("read") + Get("write") + Get("status") + Get("timeout");
        return new LoadResult(target, connections, Get("requests"), Get("duration_us") / 1e6, Get("p50_us") / 1000.0, Get("p99_us") / 1000.0, errors);
    }

    private static string Version(string path)
    {
        var info = new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info);
        var text = process?.StandardOutput.ReadToEnd() ?? "";
        process?.WaitForExit();
        var first = text.Split('\n')[0];
        var copyright = first.IndexOf(" Copyright", StringComparison.Ordinal);
        return copyright > 0 ? first[..copyright] : "wrk";
    }
}
