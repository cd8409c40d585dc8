using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Outpost.Bench.Hosts;

/// <summary>The hub's side of the control calls the bench makes (starts, stops, polls), not the load.</summary>
public sealed class BenchClient : IDisposable
{
    public BenchClient(Uri baseAddress, string hub, string password, int connections = 16)
    {
        BaseAddress = baseAddress;
        Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{hub}:{password}")));
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };
        Http.DefaultRequestHeaders.Authorization = Authorization;
    }

    public Uri BaseAddress { get; }

    public AuthenticationHeaderValue Authorization { get; }

    public HttpClient Http { get; }

    /// <summary>The body of a sync start (the hub's default mode), as the bench sends it.</summary>
    public static object StartBody(string name, string startId, string? profile = null)
    {
        var userOptions = new Dictionary<string, string> { ["start_id"] = startId };
        if (profile is not null)
        {
            userOptions["profile"] = profile;
        }
        return new
        {
            name,
            env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "u1", ["JUPYTERHUB_USER_ID"] = "1" },
            user_options = userOptions,
        };
    }

    /// <summary>Starts a server synchronously; throws unless the answer is 200.</summary>
    public async Task StartServerAsync(string name, string startId, string? profile = null)
    {
        using var response = await Http.PostAsJsonAsync("/services", StartBody(name, startId, profile));
        await EnsureAsync(response, $"start {name}/{startId}");
    }

    /// <summary>Stops and removes a server synchronously.</summary>
    public async Task StopServerAsync(string name, string startId)
    {
        using var response = await Http.DeleteAsync($"/services/{name}/{startId}");
        await EnsureAsync(response, $"stop {name}/{startId}");
    }

    /// <summary>Polls a server; throws unless it answers that the server runs.</summary>
    public async Task PollRunningAsync(string name, string startId)
    {
        using var response = await Http.GetAsync($"/services/{name}/{startId}");
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || body != PollAnswer.RunningJson)
        {
            throw new InvalidOperationException($"poll {name}/{startId}: HTTP {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>Starts servers <c>{prefix}{from}</c> .. <c>{prefix}{to - 1}</c>, <paramref name="parallel"/> at a time; returns the seconds it took.</summary>
    public async Task<double> StartManyAsync(string prefix, string startId, int from, int to, int parallel)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (i, _) => await StartServerAsync($"{prefix}{i}", startId));
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Polls servers <c>{prefix}0</c> .. <c>{prefix}{count - 1}</c> once each, <paramref name="parallel"/> at a time.</summary>
    public Task PollManyAsync(string prefix, string startId, int count, int parallel) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (i, _) => await PollRunningAsync($"{prefix}{i}", startId));

    public async Task<T> GetJsonAsync<T>(string path) =>
        await Http.GetFromJsonAsync<T>(path) ?? throw new InvalidOperationException($"{path} answered null");

    public async Task PostAsync(string path)
    {
        using var response = await Http.PostAsync(path, null);
        await EnsureAsync(response, path);
    }

    public void Dispose() => Http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
