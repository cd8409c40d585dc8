using System.Diagnostics;
using Outpost.Storage;

namespace Outpost.Operations;

public static class OperationsApi
{
    /// <summary><c>/ping</c> (liveness, no auth, the original's body), <c>/health</c> and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", () => TypedResults.Ok(new Dictionary<string, string> { ["ping"] = "pong!" })).AllowAnonymous().WithTags("Operations");
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapGet("/metrics", RenderMetrics).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Times every request by its route template (not its raw path, which would explode label counts).</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                context.RequestServices.GetRequiredService<OutpostMetrics>()
                    .ObserveRequest(context.Request.Method, route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            }
        });

    private static async Task<IResult> RenderMetrics(OutpostMetrics metrics, IServerStore servers, IEventOutbox outbox, CancellationToken cancellationToken) =>
        TypedResults.Text(await metrics.RenderAsync(servers, outbox, cancellationToken), "text/plain; version=0.0.4");
}
