using System.Security.Cryptography;

namespace Outpost.Bench.Hosts;

/// <summary>A <see cref="BenchHost"/> child process with a client for it: an Outpost or the bare endpoint.</summary>
public sealed class ChildHost : IAsyncDisposable
{
    private ChildHost(ChildProcess process, BenchClient client, string? dataDir)
    {
        Process = process;
        Client = client;
        DataDir = dataDir;
    }

    public ChildProcess Process { get; }

    public BenchClient Client { get; }

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>The Outpost's data folder (SQLite file, key); null for the bare endpoint.</summary>
    public string? DataDir { get; }

    /// <summary>
    /// Settings every Outpost host of one bench run shares. The Local backend runs <c>Python ListenScript</c>, or
    /// <c>Python</c> alone when <c>ListenScript</c> is null; <c>Environment</c> adds configuration (P11's backends).
    /// </summary>
    public sealed record OutpostSettings(string Password, string? LogLevel, string Python, string? ListenScript,
        IReadOnlyDictionary<string, string>? Environment = null)
    {
        public static OutpostSettings Create(string? logLevel, string python, string? listenScript) =>
            new(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), logLevel, python, listenScript);
    }

    /// <summary>Launches an Outpost on <paramref name="dataDir"/> (new or with stored servers); returns at once.</summary>
    public static ChildHost LaunchOutpost(string dataDir, OutpostSettings settings, TimeSpan startDelay = default)
    {
        Directory.CreateDirectory(dataDir);
        List<string> args =
        [
            "--data", dataDir, "--password", settings.Password, "--python", settings.Python,
            "--start-delay-ms", ((int)startDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        if (settings.ListenScript is { } script)
        {
            args.AddRange(["--script", script]);
        }
        if (settings.LogLevel is { } level)
        {
            args.AddRange(["--log-level", level]);
        }
        var process = ChildProcess.Launch("outpost", args, Path.Combine(dataDir, "outpost.log"), settings.Environment);
        return new ChildHost(process, new BenchClient(process.BaseAddress, BenchHost.Hub, settings.Password), dataDir);
    }

    public static async Task<ChildHost> StartOutpostAsync(string dataDir, OutpostSettings settings, TimeSpan startDelay = default)
    {
        var host = LaunchOutpost(dataDir, settings, startDelay);
        await host.Process.WaitForPingAsync();
        return host;
    }

    /// <summary>Launches the bare endpoint; returns at once.</summary>
    public static ChildHost LaunchBare(string logDir, string? logLevel)
    {
        Directory.CreateDirectory(logDir);
        var process = ChildProcess.Launch("bare", logLevel is null ? [] : ["--log-level", logLevel], Path.Combine(logDir, "bare.log"));
        return new ChildHost(process, new BenchClient(process.BaseAddress, BenchHost.Hub, "-"), null);
    }

    public static async Task<ChildHost> StartBareAsync(string logDir, string? logLevel)
    {
        var host = LaunchBare(logDir, logLevel);
        await host.Process.WaitForPingAsync();
        return host;
    }

    public Task<RuntimeCounters> RuntimeAsync() => Client.GetJsonAsync<RuntimeCounters>("/bench/runtime");

    /// <summary>
    /// The resident set after a forced full compacting collection and a second's rest (what the process
    /// keeps), and before it (what it held while idle for that second).
    /// </summary>
    public async Task<(long Before, long After)> SettledResidentBytesAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = Process.ResidentBytes();
        await Client.PostAsync("/bench/gc");
        await Task.Delay(TimeSpan.FromSeconds(1));
        return (before, Process.ResidentBytes());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
