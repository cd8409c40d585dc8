using System.Text;
using System.Text.Json;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// A real <c>outpost serve</c> process for the robustness suite, with what the suite looks at from outside:
/// its memory (VmRSS), the server processes it runs, the folders under <c>{DataDir}/servers</c> and the rows
/// <c>GET /services</c> lists. Disposing stops what is left through the API, kills the Outpost and then, by pid,
/// any server process still running from its data folder, so no test leaves a process behind.
/// </summary>
public sealed class OutpostUnderTest : IAsyncDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private const int MaxAnswerBytes = 1024 * 1024;

    private readonly OutpostProcess _process;
    private readonly HttpClient _http;

    /// <summary>Sends the requests with wrong or malformed credentials from another address, as a guesser would:
    /// failed logins are limited per address, and the suite's own hubs must not be locked out by them.</summary>
    private readonly HttpClient _guesser;

    private OutpostUnderTest(OutpostProcess process, string dataDir, string logFile)
    {
        _process = process;
        Pid = process.Pid;
        DataDir = dataDir;
        LogFile = logFile;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32, AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call has its own deadline (RequestTimeout)
        };
        _guesser = new HttpClient(LoopbackSource.Handler("127.0.0.2")) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string DataDir { get; }

    /// <summary>The Outpost's own output, kept next to (not in) the data folder for a failing run.</summary>
    public string LogFile { get; }

    public int Pid { get; }

    public string BaseUrl => _process.BaseUrl;

    public static async Task<OutpostUnderTest> StartAsync(Dictionary<string, string>? extra = null)
    {
        var root = Directory.CreateTempSubdirectory("outpost-robust-").FullName;
        var dataDir = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        var logFile = Path.Combine(root, "outpost.log");
        var process = await OutpostProcess.StartAsync(dataDir, logFile: logFile, extra: extra);
        return new OutpostUnderTest(process, dataDir, logFile);
    }

    public async Task<RawAnswer> SendAsync(RawRequest request)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var message = request.ToMessage(BaseUrl);
            var client = request.Auth is Credentials.WrongPassword or Credentials.Malformed ? _guesser : _http;
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadLimitedAsync(response.Content, timeout.Token);
            return new RawAnswer((int)response.StatusCode, body, response.Content.Headers.ContentType, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return new RawAnswer(0, [], null, $"no answer: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Whether <c>/ping</c> answers 200 and the process still runs.</summary>
    public async Task<bool> IsAliveAsync() =>
        Processes.IsAlive(Pid) && (await SendAsync(new RawRequest("GET", "/ping", Credentials.None))).Status == 200;

    /// <summary>The Outpost's resident memory in bytes (VmRSS of /proc/PID/status).</summary>
    public long RssBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Live server processes: children of the Outpost, or processes working in its data folder.</summary>
    public IReadOnlySet<int> ServerProcesses()
    {
        var found = new HashSet<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Pid)
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText($"{entry}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is "Z" or "X")
                {
                    continue;
                }
                var cwd = new FileInfo($"{entry}/cwd").LinkTarget ?? "";
                if (int.Parse(fields[1]) == Pid || cwd.StartsWith(DataDir, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended meanwhile, or is not ours to look at.
            }
        }
        return found;
    }

    /// <summary>The per-server folders under <c>{DataDir}/servers</c>.</summary>
    public IReadOnlySet<string> ServerFolders()
    {
        var root = Path.Combine(DataDir, "servers");
        return Directory.Exists(root) ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).ToHashSet() : [];
    }

    /// <summary>The rows <c>GET /services</c> lists for a hub, as (name, start_id); null when the list itself fails.</summary>
    public async Task<IReadOnlyList<(string Name, string StartId)>?> ListAsync(Credentials hub = Credentials.Hub1)
    {
        var answer = await SendAsync(new RawRequest("GET", "/services", hub));
        if (answer.Status != 200 || answer.TryParse() is not { ValueKind: JsonValueKind.Array } list)
        {
            return null;
        }
        return [.. list.EnumerateArray().Select(s => (s.GetProperty("name").GetString() ?? "", s.GetProperty("start_id").GetString() ?? ""))];
    }

    /// <summary><c>/services/{name}/{start_id}</c> with both segments percent-encoded byte by byte.</summary>
    public static string ServerPath(string name, string startId) => $"/services/{EscapeSegment(name)}/{EscapeSegment(startId)}";

    public static string EscapeSegment(string segment)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(segment))
        {
            text.Append(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'~'
                ? ((char)b).ToString()
                : $"%{b:X2}");
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var hub in new[] { Credentials.Hub1, Credentials.Hub2 })
            {
                foreach (var (name, startId) in (Processes.IsAlive(Pid) ? await ListAsync(hub) : null) ?? [])
                {
                    await SendAsync(new RawRequest("DELETE", ServerPath(name, startId), hub));
                }
            }
        }
        finally
        {
            var leftovers = ServerProcesses();
            await _process.DisposeAsync();
            foreach (var pid in leftovers.Concat(ServerProcesses()).Distinct())
            {
                KillQuietly(pid);
            }
            _http.Dispose();
            _guesser.Dispose();
            try
            {
                Directory.Delete(Path.GetDirectoryName(DataDir)!, recursive: true);
            }
            catch (IOException)
            {
                // A server process that just died may still hold a file; the temp folder is cleaned by the OS.
            }
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0 && buffer.Length < MaxAnswerBytes)
        {
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public override string ToString() => $"outpost pid {Pid} at {BaseUrl}, data {DataDir}, log {LogFile}";

    /// <summary>GET <paramref name="path"/> of a started server (only on 127.0.0.1) as JSON; null when it does not answer.</summary>
    public async Task<JsonElement?> SendServerAsync(string address, string path)
    {
        if (!address.StartsWith("127.0.0.1:", StringComparison.Ordinal))
        {
            return null;
        }
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await _http.GetAsync($"http://{address}{path}", timeout.Token);
            return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(timeout.Token)).RootElement.Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }
}
