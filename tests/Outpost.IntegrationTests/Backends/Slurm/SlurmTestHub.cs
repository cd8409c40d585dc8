using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Outpost.IntegrationTests.Backends.Slurm;

/// <summary>
/// The few hub routes a single-user server and the delayed-tunnel report touch, on 127.0.0.1: the API version
/// (which jupyterhub-singleuser checks at start-up) and <c>POST /hub/api/users/setuptunnel/{user}</c>, recorded.
/// </summary>
public sealed class SlurmTestHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlurmTestHub(WebApplication app) => _app = app;

    /// <summary>Bodies and Authorization headers of setuptunnel calls.</summary>
    public ConcurrentQueue<(string Authorization, string Body)> TunnelReports { get; } = new();

    public string ApiUrl { get; private set; } = "";

    /// <summary>Starts the hub on <paramref name="address"/> (default 127.0.0.1) and a free port.</summary>
    public static async Task<SlurmTestHub> StartAsync(IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, 0));
        var app = builder.Build();
        var hub = new SlurmTestHub(app);
        app.MapGet("/hub/api", () => Results.Text("""{"version": "3.0.0"}""", "application/json"));
        app.MapPost("/hub/api/users/setuptunnel/{user}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            hub.TunnelReports.Enqueue((request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
            return Results.NoContent();
        });
        await app.StartAsync();
        var url = app.Urls.Single();
        hub.ApiUrl = $"{url.TrimEnd('/')}/hub/api";
        return hub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
