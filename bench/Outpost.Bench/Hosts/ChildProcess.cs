using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Outpost.Bench.Hosts;

/// <summary>
/// One <see cref="BenchHost"/> in its own process: the Native AOT executable <see cref="NativeHost"/> (how the Outpost
/// ships; scripts/bench publishes it), or with <c>--jit</c> <c>dotnet exec Outpost.BenchHost.dll</c>, which runs with the
/// Outpost's runtime settings whatever the bench's own are. Output goes to a log file; the process is measured from
/// outside (/proc/PID).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _output;

    private ChildProcess(Process process, Uri baseAddress, long launchedAt, Task output)
    {
        _process = process;
        BaseAddress = baseAddress;
        LaunchedAt = launchedAt;
        _output = output;
    }

    /// <summary>The published host executable; null runs the JIT build beside the bench under <c>dotnet exec</c>.</summary>
    public static string? NativeHost { get; set; }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long LaunchedAt { get; }

    /// <summary>
    /// Starts the host; returns at once (see <see cref="WaitForPingAsync"/>). <paramref name="environment"/> adds
    /// variables, e.g. configuration keys as <c>Outpost__Backends__…</c>.
    /// </summary>
    public static ChildProcess Launch(string kind, IEnumerable<string> hostArgs, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = LocalProcesses.FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo(NativeHost ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] command = NativeHost is null ? ["exec", Path.Combine(AppContext.BaseDirectory, "Outpost.BenchHost.dll")] : [];
        foreach (var arg in command.Concat([kind, "--urls", baseAddress.ToString().TrimEnd('/')]).Concat(hostArgs))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var launchedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"the {kind} host did not start");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var output = Task.WhenAll(CopyAsync(process.StandardOutput, log), CopyAsync(process.StandardError, log))
            .ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        return new ChildProcess(process, baseAddress, launchedAt, output);
    }

    /// <summary>Waits until <c>/ping</c> answers (at most 60 s).</summary>
    public Task WaitForPingAsync() => WaitForAsync(new Uri(BaseAddress, "/ping"), null);

    /// <summary>
    /// Sends <paramref name="probe"/> every 2 ms until it answers 2xx; returns the time from the launch to that answer.
    /// </summary>
    public async Task<TimeSpan> WaitForAsync(Uri probe, System.Net.Http.Headers.AuthenticationHeaderValue? authorization)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(30) };
        var deadline = LaunchedAt + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the host exited with code {_process.ExitCode} before it answered (see its log)");
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, probe);
                request.Headers.Authorization = authorization;
                using var response = await client.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    return Stopwatch.GetElapsedTime(LaunchedAt);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(2);
        }
        throw new TimeoutException($"the host did not answer {probe} within 60 s");
    }

    /// <summary>Resident set size (VmRSS) in bytes.</summary>
    public long ResidentBytes() => StatusValueKiB("VmRSS:") * 1024;

    /// <summary>CPU time the process has used so far (user + system), in milliseconds.</summary>
    public double CpuMilliseconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    private long StatusValueKiB(string field)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>SIGTERM (a graceful stop), then waits for the exit; kills after 30 s.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = LocalProcesses.Terminate(_process.Id);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        await _output;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }
}
