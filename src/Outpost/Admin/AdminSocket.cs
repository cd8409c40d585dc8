using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Outpost.Hosting;
using Outpost.Storage;

namespace Outpost.Admin;

/// <summary>
/// The local admin channel: a Unix socket, by default <c>{DataDir}/admin.sock</c>. Whoever may open the file may
/// administer the Outpost, so the file is 0600 inside the 0700 data folder; nothing of it is reachable over TCP.
/// </summary>
public static class AdminSocket
{
    public const string FileName = "admin.sock";

    /// <summary>The configuration key of the socket's path; an empty value turns the admin channel off.</summary>
    public const string ConfigurationKey = "Outpost:Admin:Socket";

    /// <summary>Longest path a Unix socket address holds on Linux (108 bytes with the terminating NUL).</summary>
    private const int MaxPathBytes = 107;

    /// <summary>The socket's full path from configuration; null when the admin channel is off.</summary>
    public static string? PathFrom(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (configured is null)
        {
            return Path.GetFullPath(Path.Combine(configuration["Outpost:DataDir"] ?? new OutpostOptions().DataDir, FileName));
        }
        return configured.Length == 0 ? null : Path.GetFullPath(configured);
    }

    /// <summary>
    /// Adds the socket to the addresses Kestrel listens on, beside the TCP ones it would use anyway (<c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, else its default), and narrows the socket file to 0600 once
    /// it exists. Returns the path, or null when the admin channel is off.
    /// </summary>
    public static string? Listen(WebApplicationBuilder builder)
    {
        if (PathFrom(builder.Configuration) is not { } path)
        {
            return null;
        }
        CheckLength(path);
        // Prepared when the host starts, just before Kestrel binds: building the app (as `outpost check` does)
        // must create and delete nothing.
        builder.Services.AddSingleton<IHostedService>(new Preparation(path));
        builder.WebHost.UseUrls([.. TcpUrls(builder.Configuration), $"http://unix:{path}"]);
        return path;
    }

    /// <summary>The TCP addresses Kestrel takes from configuration when no code names any.</summary>
    private static List<string> TcpUrls(IConfiguration configuration)
    {
        static string[] List(string? value) => (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var urls = List(configuration["urls"]);
        if (urls.Length > 0)
        {
            return [.. urls];
        }
        List<string> ports = [.. List(configuration["http_ports"]).Select(p => $"http://*:{p}"), .. List(configuration["https_ports"]).Select(p => $"https://*:{p}")];
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }

    /// <summary>Whether the request came through the admin socket (and not over TCP).</summary>
    public static bool IsAdminConnection(HttpContext context) =>
        context.Features.Get<IConnectionSocketFeature>()?.Socket?.LocalEndPoint is UnixDomainSocketEndPoint;

    /// <summary>
    /// Makes <paramref name="path"/> ready for Kestrel to bind: its folder exists (0700 when created here), and a
    /// socket file left by an Outpost that was killed is removed. A socket that still answers is left alone (another
    /// Outpost uses this data folder: binding then fails and says so).
    /// </summary>
    public static void PrepareToListen(string path)
    {
        CheckLength(path);
        if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
        {
            DataDirectory.Ensure(folder);
        }
        if (File.Exists(path) && !Answers(path))
        {
            File.Delete(path);
        }
    }

    private static void CheckLength(string path)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new InvalidDataException(
                $"The admin socket path '{path}' is longer than {MaxPathBytes} bytes, which a Unix socket cannot have; set {ConfigurationKey} to a shorter path (or to an empty value to turn the admin channel off).");
        }
    }

    /// <summary>Runs <see cref="PrepareToListen"/> as the host starts, before any hosted service (Kestrel among them) starts.</summary>
    private sealed class Preparation(string path) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            PrepareToListen(path);
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Narrows the socket file to 0600 once Kestrel has created it.</summary>
    public static void Restrict(string path)
    {
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, DataDirectory.FileMode);
        }
    }

    /// <summary>Whether something accepts connections on the socket at <paramref name="path"/>.</summary>
    private static bool Answers(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
