using System.Diagnostics;
using System.Net.Sockets;

namespace Outpost.Bench.Backends;

/// <summary>
/// Rootful Podman's Docker-compatible service on a private socket for P11's Container backend, as the integration
/// tests run it: runc and lower ulimits through a private CONTAINERS_CONF (crun and the default limits fail on this
/// machine), and a one-file image of the server program (<c>make-server.sh</c>). Disposing removes every container
/// labelled with <see cref="Instance"/>, the image and the service.
/// </summary>
public sealed class BenchPodman : IAsyncDisposable
{
    public const string Instance = "p11-bench";
    public const string Image = "localhost/p11-bench-tinyserver:latest";

    private readonly string _work;
    private readonly Process _service;

    private BenchPodman(string work, Process service, string version)
    {
        _work = work;
        _service = service;
        Version = version;
    }

    public string Socket => Path.Combine(_work, "podman.sock");

    public string Endpoint => $"unix://{Socket}";

    /// <summary>"podman version 4.3.1", for the report.</summary>
    public string Version { get; }

    public int ServicePid => _service.Id;

    private static string ConfigFile(string work) => Path.Combine(work, "containers.conf");

    /// <summary>Builds the image (and <c>work/tinyserver</c>) and starts the service; throws when Podman is missing or fails.</summary>
    public static async Task<BenchPodman> StartAsync(string work, string makeServer)
    {
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(ConfigFile(work), """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            """);
        var version = (await RunAsync(work, "podman", "--version")).Trim();
        await RunAsync(work, "/bin/bash", makeServer, work, Image);
        var info = Start(work, "podman", "system", "service", "--time=0", $"unix://{Path.Combine(work, "podman.sock")}");
        var service = Process.Start(info) ?? throw new InvalidOperationException("podman system service did not start");
        // Its log goes to a file in the work folder (kept when the bench fails), not into the bench's progress.
        var log = new StreamWriter(Path.Combine(work, "service.log")) { AutoFlush = true };
        service.OutputDataReceived += (_, e) => Write(log, e.Data);
        service.ErrorDataReceived += (_, e) => Write(log, e.Data);
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        var engine = new BenchPodman(work, service, version);
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (!await engine.PingAsync())
        {
            if (service.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                await engine.DisposeAsync();
                throw new InvalidOperationException("podman system service did not answer /_ping within 60 s");
            }
            await Task.Delay(100);
        }
        return engine;
    }

    /// <summary>
    /// Resident bytes of the service, and of each conmon that watches one of P11's containers together with the
    /// container's process (conmon's child).
    /// </summary>
    public long ResidentBytes() => ProcessTree.ResidentBytes(_service.Id)
        + ProcessTree.AllPids()
            .Where(pid => ProcessTree.CommandLine(pid) is var line && line.StartsWith("/usr/bin/conmon", StringComparison.Ordinal)
                          && line.Contains(BackendArm.Container.Prefix, StringComparison.Ordinal))
            .Sum(ProcessTree.ResidentBytes);

    private async Task<bool> PingAsync()
    {
        if (!File.Exists(Socket))
        {
            return false;
        }
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return await client.GetStringAsync("http://engine/_ping") == "OK";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var ids = (await RunAsync(_work, "podman", "ps", "-aq", "--filter", $"label=org.jupyterhub.outpost.instance={Instance}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0)
        {
            await RunAsync(_work, "podman", ["rm", "-f", "-t", "0", .. ids]);
        }
        if (!_service.HasExited)
        {
            Hosts.LocalProcesses.Terminate(_service.Id);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _service.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _service.Kill();
            }
        }
        _service.Dispose();
        await RunAsync(_work, "podman", "rmi", "-f", Image);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private static ProcessStartInfo Start(string work, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["CONTAINERS_CONF"] = ConfigFile(work);
        return info;
    }

    /// <summary>Runs a command with this engine's configuration; its output; throws on a non-zero exit.</summary>
    private static async Task<string> RunAsync(string work, string program, params string[] args)
    {
        using var process = Process.Start(Start(work, program, args)) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }
        return await output;
    }
}
