using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Outpost.IntegrationTests;

/// <summary>A real `outpost serve` process, for tests that kill it (SIGKILL) and start it again on the same data.</summary>
public sealed class OutpostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OutpostProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<OutpostProcess> StartAsync(string dataDir, int? port = null, string? logFile = null, bool debugLogs = false, Dictionary<string, string>? extra = null)
    {
        port ??= FreePort();
        var startInfo = OutpostExecutable.StartInfo(["serve", $"--urls=http://127.0.0.1:{port}"]);
        foreach (var (key, value) in OutpostHost.DefaultSettings(dataDir).Concat(extra ?? []))
        {
            startInfo.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        if (debugLogs)
        {
            startInfo.Environment["Logging__LogLevel__Default"] = "Debug";
        }
        var process = Process.Start(startInfo)!;
        var log = logFile is null ? null : new StreamWriter(logFile) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (process) { log?.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (process) { log?.WriteLine(e.Data); } };
        process.Exited += (_, _) => { lock (process) { log?.Dispose(); log = null; } };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var outpost = new OutpostProcess(process, $"http://127.0.0.1:{port}");
        try
        {
            await outpost.WaitUntilUpAsync();
            return outpost;
        }
        catch
        {
            await outpost.DisposeAsync(); // never leave a process behind that no test will stop
            throw;
        }
    }

    /// <summary>
    /// Waits for <c>/ping</c>. A calm machine answers within seconds; a machine loaded far beyond its cores
    /// (load 75 on 2 cores was seen) took more than 30 s to start a .NET process, hence the generous limit.
    /// </summary>
    private async Task WaitUntilUpAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                if ((await client.GetAsync($"{BaseUrl}/ping")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"outpost exited with {_process.ExitCode}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("outpost did not answer /ping within 120 s");
            }
            await Task.Delay(100);
        }
    }

    public int Port => new Uri(BaseUrl).Port;

    /// <summary>The Outpost's process id (under <c>dotnet</c> too: the host runs the app in its own process).</summary>
    public int Pid => _process.Id;

    public HttpClient Client(string hub = OutpostHost.Hub1) =>
        OutpostHost.CreateClient(BaseUrl, hub, hub == OutpostHost.Hub2 ? OutpostHost.Password2 : OutpostHost.Password1);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
