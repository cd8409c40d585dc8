using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>
/// The real <c>outpost serve</c> (the Native AOT executable of scripts/publish-outpost), configured through environment
/// variables as an operator would: the Kubernetes backend as the default, a kubeconfig naming the fake API server,
/// SQLite in a fresh data directory, the product's own log levels. Its resident memory is read from /proc.
/// </summary>
internal sealed class OutpostUnderTest : IAsyncDisposable
{
    public const string Hub = "p7hub";
    public const string Namespace = "p7bench";
    public const string InstanceName = "p7bench";
    private const string Password = "p7-bench-password-0123456789";

    private readonly Process _process;
    private readonly string _dir;
    private readonly CancellationTokenSource _stopSampling = new();
    private readonly Task _sampler;
    private long _peakResident;

    private OutpostUnderTest(Process process, string dir, Uri address)
    {
        _process = process;
        _dir = dir;
        Address = address;
        _sampler = Task.Run(SampleAsync);
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public string LogFile => Path.Combine(_dir, "outpost.log");

    public string DataDir => Path.Combine(_dir, "data");

    /// <summary>Most resident memory seen by the sampler (every 100 ms), in bytes.</summary>
    public long PeakResidentSampled => Interlocked.Read(ref _peakResident);

    public static async Task<OutpostUnderTest> StartAsync(string executable, Uri api, IEnumerable<string> extraSettings)
    {
        var dir = Directory.CreateTempSubdirectory("p7-outpost-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: p7
            clusters: [{"{"}name: fake, cluster: {"{"}server: "{api}"{"}"}{"}"}]
            users: [{"{"}name: bench, user: {"{"}token: p7-bench-token{"}"}{"}"}]
            contexts: [{"{"}name: p7, context: {"{"}cluster: fake, user: bench, namespace: {Namespace}{"}"}{"}"}]
            """);
        var port = FreePort();
        // An Outpost.dll (the JIT build) runs under dotnet; anything else is the executable itself.
        var dll = executable.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(dll ? "dotnet" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        if (dll)
        {
            start.ArgumentList.Add(executable);
        }
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        var settings = new Dictionary<string, string>
        {
            ["Outpost:DataDir"] = Path.Combine(dir, "data"),
            [$"Outpost:Hubs:{Hub}:Password"] = Password,
            ["Outpost:Backends:Default"] = "Kubernetes",
            ["Outpost:Backends:Kubernetes:KubeConfigPath"] = kubeconfig,
            ["Outpost:Backends:Kubernetes:Namespace"] = Namespace,
            ["Outpost:Backends:Kubernetes:InstanceName"] = InstanceName,
            ["Outpost:Backends:Kubernetes:Pod:Image"] = "quay.io/jupyter/scipy-notebook:2025-01-01",
            ["Outpost:Backends:Kubernetes:Pod:CpuGuarantee"] = "0.5",
            ["Outpost:Backends:Kubernetes:Pod:MemLimit"] = "4G",
        };
        foreach (var setting in extraSettings)
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            settings[eq > 0 ? setting[..eq] : throw new ArgumentException($"--set {setting}: expected KEY=VALUE")] = setting[(eq + 1)..];
        }
        Directory.CreateDirectory(settings["Outpost:DataDir"]);
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(dir, "outpost.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) { if (e.Data is not null) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { lock (log) { if (e.Data is not null) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var outpost = new OutpostUnderTest(process, dir, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await client.GetAsync(new Uri(outpost.Address, "/ping"))).StatusCode == HttpStatusCode.OK)
                {
                    return outpost;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                await outpost.DisposeAsync();
                throw new InvalidOperationException($"the Outpost did not answer /ping (see {outpost.LogFile})");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A client that authenticates as the bench's hub.</summary>
    public HttpClient Client()
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Hub}:{Password}")));
        return client;
    }

    /// <summary>VmRSS and VmHWM (peak) of the Outpost process, in bytes.</summary>
    public (long Resident, long Peak) Memory()
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line) * 1024;
            }
        }
        return (rss, hwm);
    }

    /// <summary>CPU time the Outpost process has used (user + system), from /proc.</summary>
    public TimeSpan Cpu()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private async Task SampleAsync()
    {
        while (!_stopSampling.IsCancellationRequested && !_process.HasExited)
        {
            try
            {
                var (rss, _) = Memory();
                if (rss > Interlocked.Read(ref _peakResident))
                {
                    Interlocked.Exchange(ref _peakResident, rss);
                }
                await Task.Delay(100, _stopSampling.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return;
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopSampling.IsCancellationRequested)
        {
            return;
        }
        await _stopSampling.CancelAsync();
        await _sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>Removes the data directory (kept when <paramref name="keep"/>, e.g. to read the log after a failure).</summary>
    public void Clean(bool keep)
    {
        if (!keep)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
