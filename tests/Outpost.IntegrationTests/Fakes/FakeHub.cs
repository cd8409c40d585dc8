using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Outpost.IntegrationTests.Fakes;

/// <summary>
/// A JupyterHub stand-in on loopback: answers the hub API version (so a real jupyterhub-singleuser
/// starts) and records the progress events an Outpost POSTs, optionally failing for a while. Like the
/// plugin's handler, it acknowledges an event whose <c>id</c> it already has without recording it again
/// (such repeats are kept in <see cref="Repeats"/>).
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _ids = new();
    private int _failuresLeft;

    private FakeHub(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<ReceivedEvent> Events { get; } = new();

    /// <summary>Events received again with an id already recorded: acknowledged, not added to <see cref="Events"/>.</summary>
    public ConcurrentQueue<ReceivedEvent> Repeats { get; } = new();

    /// <summary>Flavor usage updates received at <c>/hub/api/outpostflavors/...</c>.</summary>
    public ConcurrentQueue<ReceivedEvent> FlavorUpdates { get; } = new();

    /// <summary>sshd restart announcements received at <c>/hub/api/recreateforward/...</c>.</summary>
    public ConcurrentQueue<ReceivedEvent> Announcements { get; } = new();

    /// <summary>What <c>/hub/api/outpost/servers</c> answers; null makes it answer 500.</summary>
    public string[]? RunningServers { get; set; } = [];

    /// <summary>The next <paramref name="count"/> event deliveries answer HTTP 500.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public int FailedDeliveries;

    /// <summary>How long the hub takes to answer an event delivery (widens the window in which two relays would both send it).</summary>
    public TimeSpan EventDelay { get; set; }

    public string EventsUrl(string user, string server = "") =>
        $"{BaseUrl}/hub/api/users/progress/events/{user}{(server.Length > 0 ? "/" + server : "")}";

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hub = new FakeHub(app);
        app.MapGet("/hub/api", () => Results.Json(new { version = "3.0.0" }));
        app.MapPost("/hub/api/users/progress/events/{**rest}", async (HttpRequest request) =>
        {
            if (Interlocked.Decrement(ref hub._failuresLeft) >= 0)
            {
                Interlocked.Increment(ref hub.FailedDeliveries);
                return Results.StatusCode(500);
            }
            using var body = await JsonDocument.ParseAsync(request.Body);
            if (hub.EventDelay > TimeSpan.Zero)
            {
                await Task.Delay(hub.EventDelay);
            }
            var received = new ReceivedEvent(request.Path, request.Headers.Authorization.ToString(), body.RootElement.Clone());
            (received.Id is { } id && !hub._ids.TryAdd(id, true) ? hub.Repeats : hub.Events).Enqueue(received);
            return Results.NoContent();
        });
        app.MapPost("/hub/api/outpostflavors/{**rest}", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            hub.FlavorUpdates.Enqueue(new ReceivedEvent(request.Path, request.Headers.Authorization.ToString(), body.RootElement.Clone()));
            return Results.NoContent();
        });
        app.MapPost("/hub/api/recreateforward/{**rest}", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            hub.Announcements.Enqueue(new ReceivedEvent(request.Path, request.Headers.Authorization.ToString(), body.RootElement.Clone()));
            return Results.Json(new { servers = 1 }, statusCode: 202);
        });
        app.MapGet("/hub/api/outpost/servers", () => hub.RunningServers is { } list ? Results.Json(list) : Results.StatusCode(500));
        app.MapFallback(() => Results.Json(new { }));
        await app.StartAsync();
        hub.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return hub;
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the received events (10 s at most).</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> WaitForEventsAsync(Func<IReadOnlyList<ReceivedEvent>, bool> predicate, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = Events.ToList();
            if (predicate(snapshot))
            {
                return snapshot;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The expected events did not arrive; got: {string.Join(" | ", Events.Select(e => e.Body.GetRawText()))}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public sealed record ReceivedEvent(string Path, string Authorization, JsonElement Body)
    {
        public int Progress => Body.GetProperty("progress").GetInt32();

        public string Message => Body.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";

        public bool Failed => Body.TryGetProperty("failed", out var f) && f.GetBoolean();

        public string? Id => Body.TryGetProperty("id", out var id) ? id.GetString() : null;
    }
}
