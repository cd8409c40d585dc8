using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Flavors;
using Outpost.Hubs;

namespace Outpost.Servers;

/// <summary>
/// The original Outpost's server routes, wire-compatible: <c>/services[/]</c> to list and start,
/// <c>/services/{name}[/{start_id}][/]</c> to poll and stop. Both slash forms are answered directly,
/// and an empty name (<c>/services//{start_id}</c>) addresses a user's default server.
/// </summary>
public static class ServersApi
{
    public static IEndpointRouteBuilder MapServers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/services").RequireAuthorization().WithTags("Servers");
        // Route matching ignores a trailing slash, so each of these also answers "/services/".
        group.MapGet("", ListServers).WithName("ListServers");
        group.MapPost("", StartServer).WithName("StartServer").Accepts<JsonElement>("application/json", "*/*");
        group.MapGet("/{**path}", PollServer).WithName("PollServer");
        group.MapDelete("/{**path}", StopServer).WithName("StopServer");
        return app;
    }

    private static async Task<Ok<ServerSummary[]>> ListServers(ClaimsPrincipal user, Storage.IServerStore store, CancellationToken cancellationToken)
    {
        var servers = await store.ListAsync(user.HubName(), cancellationToken);
        return TypedResults.Ok(servers.Select(ServerSummary.From).ToArray());
    }

    private static async Task<IResult> StartServer(
        HttpRequest request,
        ClaimsPrincipal user,
        ServerLauncher launcher,
        BackendCatalog backends,
        ServerProfiles profiles,
        QuotaPolicy quotas,
        IOptions<HubsOptions> hubs,
        CancellationToken cancellationToken)
    {
        var hub = user.HubName();
        var (body, invalid) = await Hosting.JsonRequestBody.ReadAsync(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }
        var (spec, errors) = StartRequestReader.Read(body);
        if (spec is null)
        {
            return TypedResults.UnprocessableEntity(new ValidationProblem(errors));
        }
        hubs.Value.Hubs.TryGetValue(hub, out var hubOptions);
        var problems = StartRequestReader.CheckPolicy(spec, hub, hubOptions);
        if (problems.Count > 0)
        {
            return Refuse(new OutpostRefusal($"{DisplayName(spec)}: {string.Join(" ", problems)}"));
        }
        var key = new ServerKey(hub, spec.Name, spec.StartId);
        IBackend backend;
        try
        {
            backend = profiles.SelectBackend(spec, backends);
            // What the backend would refuse is refused here, before anything is stored or counted.
            if (backend.Check(key, spec) is { } refusal)
            {
                return Refuse(new OutpostRefusal($"{DisplayName(spec)}: {refusal}"));
            }
        }
        catch (BackendFieldException ex)
        {
            return TypedResults.UnprocessableEntity(new ValidationProblem(ex.Errors));
        }
        catch (Exception ex) when (ex is OutpostRefusal or BackendException)
        {
            return Refuse(ex);
        }
        var (admission, quotaRefusal) = quotas.Admit(hub, spec, body.TryGetProperty("authentication", out var authentication) ? authentication : null);
        if (admission is null)
        {
            return Refuse(new OutpostRefusal(quotaRefusal!));
        }
        var async = IsAsync(request);
        try
        {
            var service = await launcher.StartAsync(hub, spec, backend, admission, AuthStateCache.Read(request.Headers), waitForStart: !async, cancellationToken);
            return async
                ? TypedResults.Json(new Dictionary<string, string> { ["service"] = "" }, Hosting.WireJson.Strings, statusCode: StatusCodes.Status202Accepted)
                : TypedResults.Ok(new Dictionary<string, string> { ["service"] = service });
        }
        catch (Exception ex) when (ex is OutpostRefusal or BackendException)
        {
            return Refuse(ex);
        }
    }

    private static async Task<IResult> PollServer(
        string? path,
        HttpRequest request,
        ClaimsPrincipal user,
        ServerLauncher launcher,
        AuthStateCache authStates,
        CancellationToken cancellationToken)
    {
        if (!TryParseKey(user.HubName(), request.Path, out var key))
        {
            return NotFound();
        }
        try
        {
            var result = await launcher.PollAsync(key, CollectLogs(request), cancellationToken);
            if (result is null)
            {
                return NotFound();
            }
            authStates.Update(key, request.Headers); // only for servers that exist
            return TypedResults.Ok(new PollResponse(result.Status, result.Logs));
        }
        catch (BackendException ex)
        {
            return Refuse(ex);
        }
    }

    private static async Task<IResult> StopServer(
        string? path,
        HttpRequest request,
        ClaimsPrincipal user,
        ServerLauncher launcher,
        CancellationToken cancellationToken)
    {
        if (!TryParseKey(user.HubName(), request.Path, out var key))
        {
            return NotFound();
        }
        var async = IsAsync(request);
        try
        {
            var logs = await launcher.StopAsync(key, CollectLogs(request), waitForStop: !async, cancellationToken);
            if (logs is null)
            {
                return NotFound();
            }
            return async
                ? TypedResults.Json(new Dictionary<string, string>(), Hosting.WireJson.Strings, statusCode: StatusCodes.Status202Accepted)
                : TypedResults.Ok(new StopResponse(logs));
        }
        catch (BackendException ex)
        {
            return Refuse(ex);
        }
    }

    /// <summary>Parses <c>/services/{name}[/{start_id}][/]</c> from the raw path; an empty name is the default server.</summary>
    internal static bool TryParseKey(string hub, PathString path, out ServerKey key)
    {
        key = default;
        var value = path.Value ?? "";
        var rest = value.StartsWith("/services/", StringComparison.Ordinal) ? value["/services/".Length..] : null;
        if (rest is null)
        {
            return false;
        }
        if (rest.EndsWith('/'))
        {
            rest = rest[..^1];
        }
        var parts = rest.Split('/');
        if (parts.Length > 2 || (parts.Length == 1 && parts[0].Length == 0))
        {
            return false;
        }
        var startId = parts.Length == 2 ? parts[1] : "0";
        if (startId.Length == 0)
        {
            return false;
        }
        key = new ServerKey(hub, parts[0], startId);
        return true;
    }

    private static bool IsAsync(HttpRequest request) =>
        string.Equals(request.Headers["execution-type"], "async", StringComparison.OrdinalIgnoreCase);

    private static bool CollectLogs(HttpRequest request) =>
        string.Equals(request.Query["collect_logs"], "true", StringComparison.OrdinalIgnoreCase);

    private static JsonHttpResult<Dictionary<string, string>> NotFound() =>
        TypedResults.Json(new Dictionary<string, string> { ["detail"] = "Item not found" }, Hosting.WireJson.Strings, statusCode: StatusCodes.Status404NotFound);

    private static JsonHttpResult<WireError> Refuse(Exception exception) =>
        TypedResults.Json(WireError.From(exception), Hosting.WireJson.Error, statusCode: WireError.StatusCode);

    private static string DisplayName(ServerSpec spec) => $"{spec.UserName}:{(spec.Name.Length == 0 ? "(default)" : spec.Name)}";

    /// <summary>Poll answer: <c>status</c> is null while the server runs.</summary>
    public sealed record PollResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
        int? Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("logs")] IReadOnlyList<string> Logs);

    /// <summary>Stop answer.</summary>
    public sealed record StopResponse([property: System.Text.Json.Serialization.JsonPropertyName("logs")] IReadOnlyList<string> Logs);
}
