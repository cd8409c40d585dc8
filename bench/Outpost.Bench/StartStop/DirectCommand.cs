using Outpost.Bench.Hosts;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Outpost.Bench.StartStop;

/// <summary>
/// The start/stop baseline: the same command the Outpost runs, spawned directly with
/// <see cref="Process.Start(ProcessStartInfo)"/>, timed until its port accepts a connection (probed
/// every millisecond), then stopped with SIGTERM and timed until it has exited.
/// </summary>
public static class DirectCommand
{

    public static async Task<(double StartMs, double StopMs)> RunOnceAsync(string python, string script, string home)
    {
        var port = LocalProcesses.FreePort();
        var info = new ProcessStartInfo(python) { UseShellExecute = false, WorkingDirectory = home };
        info.ArgumentList.Add(script);
        info.Environment.Clear();
        info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["HOME"] = home;
        info.Environment["JUPYTERHUB_SERVICE_URL"] = $"http://127.0.0.1:{port}/";

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{python} did not start");
        try
        {
            await WaitUntilListeningAsync(process, port);
            var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            var stopping = Stopwatch.GetTimestamp();
            _ = LocalProcesses.Terminate(process.Id);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(limit.Token);
            return (startMs, Stopwatch.GetElapsedTime(stopping).TotalMilliseconds);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task WaitUntilListeningAsync(Process process, int port)
    {
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the command exited with code {process.ExitCode} before it listened");
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(1);
            }
        }
        throw new TimeoutException($"the command did not listen on port {port} within 10 s");
    }
}
