using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>
/// Stands in for the hub's events handler (JUPYTERHUB_EVENTS_URL): takes each progress event the Outpost posts to
/// <c>/hub/api/users/{user}/server/events</c>, notes when its body had arrived (a Stopwatch timestamp) and answers 200.
/// </summary>
internal sealed class HubReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long>> _byUser = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _received;

    private HubReceiver(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Every progress event received so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    public static async Task<HubReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new HubReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.First());
        return receiver;
    }

    public string EventsUrl(string user) => new Uri(Address, $"/hub/api/users/{user}/server/events").ToString();

    /// <summary>When the event <paramref name="step"/> (see <see cref="Step"/>) of <paramref name="user"/> arrived, if it did.</summary>
    public long? ArrivedAt(string user, string step) =>
        _byUser.TryGetValue(user, out var steps) && steps.TryGetValue(step, out var at) ? at : null;

    public bool Has(string user, string step) => ArrivedAt(user, step) is not null;

    /// <summary>How many users have had an event of <paramref name="step"/>: cheap enough to check after every event.</summary>
    public int Count(string step) => _counts.GetValueOrDefault(step);

    /// <summary>Waits until <paramref name="condition"/> holds, checking it after every event received.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"the hub stand-in did not see {what} within {timeout.TotalSeconds:0} s ({Received} events received)");
            }
            // A condition may also change without an event (pods deleted); look again at least every half second.
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(500)));
        }
    }

    /// <summary>
    /// The step a progress message stands for: the Kubernetes Event's reason ("[Normal] Pulling: ..."), "Running"
    /// for the backend's "Pod X is running at ...", "Created" for its "Pod X created; waiting ...", "Started" for
    /// the Outpost's "Server started on the Outpost.", or the message itself.
    /// </summary>
    public static string Step(string message)
    {
        if (message.StartsWith('[') && message.IndexOf("] ", StringComparison.Ordinal) is var close and > 0 &&
            message.IndexOf(':', close) is var colon and > 0)
        {
            return "event:" + message[(close + 2)..colon];
        }
        if (message.StartsWith("Pod ", StringComparison.Ordinal))
        {
            if (message.Contains(" is running at ", StringComparison.Ordinal))
            {
                return "Running";
            }
            if (message.Contains(" created; waiting", StringComparison.Ordinal))
            {
                return "Created";
            }
        }
        return message == "Server started on the Outpost." ? "Started" : message;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var segments = context.Request.Path.Value?.Split('/') ?? [];
        if (context.Request.Method != "POST" || segments.Length != 7 || segments[5] != "server" || segments[6] != "events")
        {
            context.Response.StatusCode = 404;
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var at = Stopwatch.GetTimestamp();
        var message = body.RootElement.GetProperty("message").GetString() ?? "";
        var step = Step(message);
        if (_byUser.GetOrAdd(segments[4], _ => new(StringComparer.Ordinal)).TryAdd(step, at))
        {
            _counts.AddOrUpdate(step, 1, (_, n) => n + 1);
        }
        Interlocked.Increment(ref _received);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
