using System.Globalization;
using Microsoft.Extensions.Options;
using Outpost.Hubs;

namespace Outpost.Status;

public static class StatusPageApi
{
    /// <summary>
    /// <c>GET /status</c>: the read-only HTML status page, behind its own Basic credential (<c>Outpost:StatusPage</c>);
    /// 404 while that is not configured. Hub authentication does not look at these requests (<see cref="NotForHubsMetadata"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", ShowAsync)
            .AllowAnonymous() // not as a hub: the handler checks the admin credential itself
            .WithMetadata(NotForHubsMetadata.Instance)
            .ExcludeFromDescription();
        return app;
    }

    public static IServiceCollection AddStatusPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatusPageOptions>().Bind(configuration.GetSection(StatusPageOptionsValidator.SectionPath)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusPageOptions>, StatusPageOptionsValidator>();
        services.AddSingleton<StatusPageAccess>();
        services.AddSingleton<StatusReportReader>();
        return services;
    }

    private static async Task<IResult> ShowAsync(HttpContext context, StatusPageAccess access, StatusReportReader reader, CancellationToken cancellationToken)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        switch (access.Check(context, out var retryAfter))
        {
            case StatusAccess.Disabled:
                return TypedResults.NotFound();
            case StatusAccess.Limited:
                headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Text("Too many failed logins; retry later.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status429TooManyRequests);
            case StatusAccess.Missing or StatusAccess.Denied:
                // A realm of its own, so a browser does not offer a hub's saved login here.
                headers.WWWAuthenticate = "Basic realm=\"Outpost status\", charset=\"UTF-8\"";
                return TypedResults.Text("Authentication required.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }
        var report = await reader.ReadAsync(cancellationToken);
        headers.ContentSecurityPolicy = StatusPageHtml.ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Text(StatusPageHtml.Render(report), "text/html; charset=utf-8");
    }
}
