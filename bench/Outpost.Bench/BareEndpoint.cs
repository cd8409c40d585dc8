namespace Outpost.Bench;

/// <summary>
/// The baseline: a bare ASP.NET Core minimal API in this process on another loopback port, answering
/// the poll route with the same small JSON the Outpost answers for a running server, and nothing else
/// (no auth, no storage). Same host defaults and log level as the Outpost under test.
/// </summary>
public sealed class BareEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareEndpoint(WebApplication app)
    {
        _app = app;
        BaseAddress = OutpostUnderTest.ListeningAddress(app);
    }

    public Uri BaseAddress { get; }

    public static async Task<BareEndpoint> StartAsync(string logLevel)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls", "http://127.0.0.1:0", $"--Logging:LogLevel:Default={logLevel}"],
        });
        var app = builder.Build();
        app.MapGet("/services/{name}/{startId}", (string name, string startId) => TypedResults.Ok(PollAnswer.Running));
        await app.StartAsync();
        return new BareEndpoint(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
