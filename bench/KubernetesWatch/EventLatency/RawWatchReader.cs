using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>
/// The baseline: a bare watch client on the same fake, reading the pods and Events watches as raw lines and noting when
/// each resourceVersion arrived (one JsonDocument per line for the version, nothing else).
/// </summary>
internal sealed class RawWatchReader : IAsyncDisposable
{
    public const string UserAgent = "p7-raw-watch";

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public RawWatchReader(Uri api)
    {
        _http = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    /// <summary>resourceVersion → when its line was read.</summary>
    public ConcurrentDictionary<long, long> Arrivals { get; } = new();

    public int Open { get; private set; }

    public async Task StartAsync(string ns, string podSelector)
    {
        foreach (var (plural, selector) in new[] { ("pods", $"labelSelector={Uri.EscapeDataString(podSelector)}"), ("events", "fieldSelector=involvedObject.kind%3DPod") })
        {
            using var list = await _http.GetAsync($"/api/v1/namespaces/{ns}/{plural}?{selector}");
            using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
            var rv = listed.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/{plural}?watch=true&resourceVersion={rv}&timeoutSeconds=3600&{selector}");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            _loops.Add(Task.Run(() => ReadAsync(response)));
            Open++;
        }
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var at = Stopwatch.GetTimestamp();
                    using var document = JsonDocument.Parse(line);
                    var rv = document.RootElement.GetProperty("object").GetProperty("metadata").GetProperty("resourceVersion").GetString();
                    Arrivals.TryAdd(long.Parse(rv!, CultureInfo.InvariantCulture), at);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _stop.Dispose();
    }
}
