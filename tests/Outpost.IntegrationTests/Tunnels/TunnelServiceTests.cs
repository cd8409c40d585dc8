using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Outpost.IntegrationTests.Checks;

namespace Outpost.IntegrationTests.Tunnels;

/// <summary>
/// <c>outpost tunnels serve</c> as a real process against a real sshd on loopback: a forward created through the API
/// reaches an HTTP server; the service heals a killed master; after kill -9 of the service (and its master, as a pod
/// restart would take both) the restarted service brings the forward back from its state file; hostile input is
/// refused with 400 naming the field, and calls without the token with 401.
/// </summary>
public sealed class TunnelServiceTests : IAsyncLifetime
{
    private const string Token = "tunnelsvc-test-token-0123456789";
    private readonly string _state = Directory.CreateTempSubdirectory("tunnelsvc-state-").FullName;
    private readonly int _apiPort = LoopbackSshd.FreePort();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly StringBuilder _log = new();
    private LoopbackSshd _sshd = null!;
    private TinyHttpServer _server = null!;
    private Process? _service;

    public async Task InitializeAsync()
    {
        _sshd = await LoopbackSshd.StartAsync();
        _server = new TinyHttpServer("hello through the tunnel service");
        _http.BaseAddress = new Uri($"http://127.0.0.1:{_apiPort}/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        KillService();
        foreach (var pid in MasterPids())
        {
            Kill(pid);
        }
        _server.Dispose();
        await _sshd.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [SshdFact]
    public async Task Forward_IsCreatedHealedAndRecoveredAfterKill9_ThenRemoved()
    {
        await StartServiceAsync();
        var localPort = LoopbackSshd.FreePort();

        var created = await _http.PutAsync("tunnels/jupyter-alice-1", Json(Request(localPort)));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync() + _log);
        Assert.Equal(_server.Body, await GetThroughAsync(localPort));

        // Healing: the master killed under a running service comes back on its own.
        var healTimer = Stopwatch.StartNew();
        Kill(Assert.Single(MasterPids()));
        Assert.True(await WaitThroughAsync(localPort, TimeSpan.FromSeconds(60)) == _server.Body, _log.ToString());
        healTimer.Stop();

        // kill -9 of the service and of its master: nothing is left listening until the restart recovers it.
        KillService();
        foreach (var pid in MasterPids())
        {
            Kill(pid);
        }
        await WaitRefusedAsync(localPort);
        await StartServiceAsync();
        Assert.Equal(_server.Body, await WaitThroughAsync(localPort, TimeSpan.FromSeconds(60)));
        var status = await _http.GetFromJsonAsync<JsonElement>("tunnels/jupyter-alice-1");
        Assert.True(status.GetProperty("healthy").GetBoolean());
        // The console logger writes from a queue: the line may follow the forward by a moment.
        await WaitForLogAsync("Recovered 1 forward(s)");

        var removed = await _http.DeleteAsync("tunnels/jupyter-alice-1");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await WaitRefusedAsync(localPort);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("tunnels/jupyter-alice-1")).StatusCode);
        // The master is told to exit with its last forward; the process ends a moment after the answer.
        await WaitForNoMasterAsync();
        Console.WriteLine($"tunnel service: forward healed {healTimer.Elapsed.TotalSeconds:F1} s after its master was killed");
    }

    [SshdFact]
    public async Task HostileInput_IsRefusedNamingTheField_AndTheTokenIsRequired()
    {
        await StartServiceAsync();
        var port = LoopbackSshd.FreePort();
        var cases = new (string Body, string Field)[]
        {
            (Replace(port, "sshNode", "\"-oProxyCommand=touch /tmp/tunnelsvc-pwned\""), "sshNode"),
            (Replace(port, "remoteHost", "\"127.0.0.1 -R 1:x:1\""), "remoteHost"),
            (Replace(port, "sshUser", "\"root@127.0.0.1\""), "sshUser"),
            (Replace(port, "localPort", "70000"), "localPort"),
            (Replace(port, "localPort", "\"22; id\""), "localPort"),
            (Replace(port, "sshPort", "0"), "sshPort"),
            (Replace(port, "sshOptions", "{\"ProxyCommand\":\"touch /tmp/tunnelsvc-pwned\"}"), "sshOptions"),
            (Replace(port, "sshOptions", "{\"LocalCommand\":\"id\"}"), "sshOptions"),
            (Replace(port, "sshOptions", "{\"KnownHostsCommand\":\"/bin/id\"}"), "sshOptions"),
            (Replace(port, "sshOptions", "{\"Match\":\"exec id\"}"), "sshOptions"),
        };
        foreach (var (body, field) in cases)
        {
            var response = await _http.PutAsync("tunnels/s1", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} -> {(int)response.StatusCode} {text}");
            Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
        }
        Assert.False(File.Exists("/tmp/tunnelsvc-pwned"));
        Assert.Equal("[]", (await _http.GetStringAsync("tunnels")).Trim());

        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("tunnels/s1", Json(Request(port)))).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("tunnels")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health")).StatusCode);
    }

    private Dictionary<string, object> Request(int localPort) => new()
    {
        ["localPort"] = localPort,
        ["remoteHost"] = "127.0.0.1",
        ["remotePort"] = _server.Port,
        ["sshNode"] = "127.0.0.1",
        ["sshPort"] = _sshd.Port,
        ["sshUser"] = "root",
        ["sshKey"] = _sshd.ClientKey,
    };

    private string Replace(int localPort, string field, string rawJson)
    {
        var body = JsonSerializer.SerializeToNode(Request(localPort))!.AsObject();
        body[field] = System.Text.Json.Nodes.JsonNode.Parse(rawJson);
        return body.ToJsonString();
    }

    private static StringContent Json(Dictionary<string, object> body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task StartServiceAsync()
    {
        var start = OutpostExecutable.StartInfo(["tunnels", "serve", "--state-dir", _state, "--listen", $"127.0.0.1:{_apiPort}", "--check-interval", "1"]);
        start.Environment["OUTPOST_TUNNEL_TOKEN"] = Token;
        _service = Process.Start(start)!;
        _service.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _service.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await _http.GetAsync("health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_service.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private void KillService()
    {
        if (_service is { HasExited: false })
        {
            _service.Kill(); // SIGKILL: no chance to tidy up.
            _service.WaitForExit();
        }
    }

    /// <summary>The ssh masters of this test's state directory, by their ControlPath on the command line.</summary>
    private List<int> MasterPids() =>
        Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && CommandLine(pid) is { } line && line.StartsWith("ssh\0-M", StringComparison.Ordinal) && line.Contains(_state, StringComparison.Ordinal))
            .ToList();

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private async Task WaitForNoMasterAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (MasterPids() is { Count: > 0 } left)
        {
            Assert.True(DateTime.UtcNow < deadline, $"ssh master(s) {string.Join(", ", left)} still running:\n{Logged()}");
            await Task.Delay(100);
        }
    }

    private async Task WaitForLogAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Logged(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{text}' in the service's log:\n{Logged()}");
            await Task.Delay(100);
        }
    }

    private bool Logged(string text)
    {
        lock (_log)
        {
            return _log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private string Logged()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static async Task<string> GetThroughAsync(int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync($"http://127.0.0.1:{port}/");
    }

    private static async Task<string> WaitThroughAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await GetThroughAsync(port);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task WaitRefusedAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await GetThroughAsync(port);
            }
            catch (HttpRequestException)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"port {port} still answers");
            await Task.Delay(100);
        }
    }
}
