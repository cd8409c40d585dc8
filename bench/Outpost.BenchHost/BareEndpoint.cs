using Outpost.Bench.Hosts;

namespace Outpost.Bench;

/// <summary>
/// The baseline: a bare ASP.NET Core minimal API in its own process, answering the Outpost's routes with
/// the same small JSON the Outpost answers for a running server (poll), a start and a stop, and nothing
/// else (no auth, no storage). Same runtime configuration and host defaults as the Outpost under test.
/// </summary>
public static class BareEndpoint
{
    /// <summary>
    /// The same logging configuration as the Outpost: its appsettings.json (next to the program), and
    /// <paramref name="logLevel"/> as the default level when given.
    /// </summary>
    public static WebApplication Build(string urls, string? logLevel)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = logLevel is null ? ["--urls", urls] : ["--urls", urls, $"--Logging:LogLevel:Default={logLevel}"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BenchHostJsonContext.Default));
        var app = builder.Build();
        app.MapGet("/ping", () => TypedResults.Ok(new Dictionary<string, string> { ["ping"] = "pong!" }));
        app.MapGet("/services/{name}/{startId}", (string name, string startId) => TypedResults.Ok(PollAnswer.Running));
        app.MapPost("/services", (System.Text.Json.JsonElement body) => TypedResults.Ok(new Dictionary<string, string> { ["service"] = "127.0.0.1:9" }));
        app.MapDelete("/services/{name}/{startId}", (string name, string startId) => TypedResults.Ok(new Dictionary<string, string[]> { ["logs"] = [] }));
        RuntimeCounters.Map(app);
        return app;
    }
}
