using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Outpost.Hubs;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Operations;

public static class OperationsApi
{
    /// <summary>
    /// <c>/ping</c> (liveness, no auth, the original's body), <c>/health</c> (readiness: the database answers; and
    /// the replica's leadership; GET and HEAD only; 503 when unhealthy) and <c>/metrics</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", () => TypedResults.Ok(new Dictionary<string, string> { ["ping"] = "pong!" })).AllowAnonymous().WithTags("Operations");
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .AllowAnonymous();
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

    /// <summary>The checks behind <c>/health</c>.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<OutpostMetrics>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [], TimeSpan.FromSeconds(5))
            .AddCheck<LeadershipHealthCheck>("leadership");
        return services;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        var body = new HealthResponse(report.Status.ToString(), report.Entries.ToDictionary(
            e => e.Key, e => new HealthResponse.Check(e.Value.Status.ToString(), e.Value.Description), StringComparer.Ordinal));
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, OperationsJsonContext.Default.HealthResponse, context.RequestAborted);
    }

    private static async Task<IResult> RenderMetrics(
        OutpostMetrics metrics, IServerStore servers, IOperationsStore operations, ILeadership leadership,
        IOptions<HubsOptions> hubs, TimeProvider time, CancellationToken cancellationToken)
    {
        var sources = new MetricsSources(servers, operations, leadership, hubs.Value.Hubs.Keys, time.GetUtcNow());
        return TypedResults.Text(await metrics.RenderAsync(sources, cancellationToken), "text/plain; version=0.0.4");
    }
}
