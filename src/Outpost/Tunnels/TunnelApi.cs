using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Outpost.Operations;

namespace Outpost.Tunnels;

/// <summary>
/// The HTTP API: <c>PUT /tunnels/{serverId}</c> creates (or replaces) a forward; the same body again keeps a working
/// forward untouched, <c>GET /tunnels/{serverId}</c>
/// checks it (re-creating a dead one), <c>DELETE</c> removes it, <c>GET /tunnels</c> lists them; all with
/// <c>Authorization: Bearer TOKEN</c>. <c>GET /health</c> needs no token.
/// </summary>
public static class TunnelApi
{
    public static void Map(WebApplication app, TunnelToken token)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Outpost.Tunnels.TunnelApi");
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/tunnels") && !token.Accepts(context.Request.Headers.Authorization))
            {
                logger.LogWarning(LogEvents.TunnelAuthFailed, "Refused a tunnel API call from {Remote}: missing or wrong token", context.Connection.RemoteIpAddress);
                await Error(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer token", null);
                return;
            }
            await next(context);
        });

        app.MapGet("/health", () => Results.Text("ok"));

        app.MapGet("/tunnels", (TunnelManager manager) =>
            Results.Json(manager.List(), TunnelJsonContext.Default.TunnelStatusArray));

        app.MapPut("/tunnels/{serverId}", async (string serverId, HttpContext context, TunnelManager manager, CancellationToken ct) =>
        {
            try
            {
                TunnelRequest? request;
                try
                {
                    request = await JsonSerializer.DeserializeAsync(context.Request.Body, TunnelJsonContext.Default.TunnelRequest, ct);
                }
                catch (JsonException ex)
                {
                    // ex.Path is "$.localPort" for a wrong type: the field is named in the answer.
                    throw new TunnelInputException(ex.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body", "is not valid JSON of the expected type");
                }
                var spec = TunnelSpecValidator.Validate(serverId, request ?? throw new TunnelInputException("body", "is empty"));
                var status = await manager.CreateAsync(spec, ct);
                return Results.Json(status, TunnelJsonContext.Default.TunnelStatus);
            }
            catch (TunnelInputException ex)
            {
                return Results.Json(new TunnelError(ex.Message, ex.Field), TunnelJsonContext.Default.TunnelError, statusCode: StatusCodes.Status400BadRequest);
            }
            catch (TunnelSshException ex)
            {
                return Results.Json(new TunnelError(ex.Message, null), TunnelJsonContext.Default.TunnelError, statusCode: StatusCodes.Status502BadGateway);
            }
        });

        app.MapGet("/tunnels/{serverId}", async (string serverId, TunnelManager manager, CancellationToken ct) =>
            await manager.CheckAsync(serverId, ct) is { } status
                ? Results.Json(status, TunnelJsonContext.Default.TunnelStatus, statusCode: status.Healthy ? 200 : 503)
                : Results.Json(new TunnelError($"no forward for server '{serverId}'", "serverId"), TunnelJsonContext.Default.TunnelError, statusCode: 404));

        app.MapDelete("/tunnels/{serverId}", async (string serverId, TunnelManager manager, CancellationToken ct) =>
            await manager.RemoveAsync(serverId, ct)
                ? Results.NoContent()
                : Results.Json(new TunnelError($"no forward for server '{serverId}'", "serverId"), TunnelJsonContext.Default.TunnelError, statusCode: 404));
    }

    private static Task Error(HttpContext context, int status, string message, string? field)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new TunnelError(message, field), TunnelJsonContext.Default.TunnelError);
    }
}
