using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Outpost.Hubs;
using Outpost.Wire;

namespace Outpost.Servers;

/// <summary>
/// The original Outpost's server routes, wire-compatible: <c>/services[/]</c> to list and start,
/// <c>/services/{name}[/{start_id}][/]</c> to poll and stop. Both slash forms are answered directly,
/// and an empty name (<c>/services//{start_id}</c>) addresses a user's default server.
/// Each handler reads the request, runs its use case and turns the use case's result into the answer.
/// </summary>
public static class ServersApi
{
    public static IEndpointRouteBuilder MapServers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/services").RequireHub().WithTags("Servers");
        // Route matching ignores a trailing slash, so each of these also answers "/services/".
        group.MapGet("", ListServers).WithName("ListServers").AddOpenApiOperationTransformer(DescribePollParameter);
        group.MapPost("", StartServer).WithName("StartServer").Accepts<JsonElement>("application/json", "*/*");
        group.MapGet("/{**path}", PollServer).WithName("PollServer");
        group.MapDelete("/{**path}", StopServer).WithName("StopServer");
        return app;
    }

    /// <summary>The list; <c>?poll=true</c> adds each server's poll answer (an addition: the original ignores the parameter).</summary>
    private static async Task<Results<Ok<ServerSummary[]>, UnprocessableEntity<ValidationProblem>>> ListServers(
        HttpRequest request, ClaimsPrincipal user, ListServers servers, CancellationToken cancellationToken)
    {
        if (!TryReadFlag(request, "poll", out var withPoll))
        {
            return TypedResults.UnprocessableEntity(new ValidationProblem(
                [new FieldError("bool_parsing", ["query", "poll"], "poll must be true or false.")]));
        }
        return TypedResults.Ok(await servers.RunAsync(user.HubName(), withPoll, cancellationToken));
    }

    /// <summary>The handler reads <c>poll</c> itself (a bad value is a 422 naming it), so the document is told of it here.</summary>
    private static Task DescribePollParameter(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "poll",
            In = ParameterLocation.Query,
            Required = false,
            Description = "true: each entry also carries the server's poll answer, as its own GET would give it now.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
        });
        return Task.CompletedTask;
    }

    /// <summary>An optional true/false query parameter (any case); false when absent.</summary>
    private static bool TryReadFlag(HttpRequest request, string name, out bool value)
    {
        value = false;
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return true;
        }
        if (values.Count > 1)
        {
            return false;
        }
        return bool.TryParse(values[0], out value);
    }

    private static async Task<Results<Ok<Dictionary<string, string>>, Accepted<Dictionary<string, string>>, UnprocessableEntity<ValidationProblem>, WireRefusal, RequestTooLarge>> StartServer(
        HttpRequest request, ClaimsPrincipal user, StartServer start, CancellationToken cancellationToken)
    {
        var body = await JsonRequestBody.ReadAsync(request, cancellationToken);
        if (body.TooLarge)
        {
            return RequestTooLarge.Instance;
        }
        if (body.Invalid is { } invalid)
        {
            return TypedResults.UnprocessableEntity(invalid);
        }
        var result = await start.RunAsync(user.HubName(), body.Value, AuthStateCache.Read(request.Headers), waitForStart: !IsAsync(request), cancellationToken);
        return result switch
        {
            StartServerResult.Started started => TypedResults.Ok(new Dictionary<string, string> { ["service"] = started.Service }),
            StartServerResult.Accepted => TypedResults.Accepted((string?)null, new Dictionary<string, string> { ["service"] = "" }),
            StartServerResult.Invalid errors => TypedResults.UnprocessableEntity(new ValidationProblem(errors.Errors)),
            StartServerResult.Refused refused => new WireRefusal(refused.Refusal),
            _ => throw new System.Diagnostics.UnreachableException($"Unmapped result {result}"),
        };
    }

    private static async Task<Results<Ok<PollResponse>, NotFound<Dictionary<string, string>>, WireRefusal>> PollServer(
        string? path, HttpRequest request, ClaimsPrincipal user, PollServer poll, CancellationToken cancellationToken)
    {
        if (!TryParseKey(user.HubName(), request.Path, out var key))
        {
            return NotFound();
        }
        var result = await poll.RunAsync(key, CollectLogs(request), AuthStateCache.Read(request.Headers), cancellationToken);
        return result switch
        {
            PollServerResult.Polled polled => TypedResults.Ok(new PollResponse(polled.Status, polled.Logs)),
            PollServerResult.NotFound => NotFound(),
            PollServerResult.Refused refused => new WireRefusal(refused.Refusal),
            _ => throw new System.Diagnostics.UnreachableException($"Unmapped result {result}"),
        };
    }

    private static async Task<Results<Ok<StopResponse>, Accepted<Dictionary<string, string>>, NotFound<Dictionary<string, string>>, WireRefusal>> StopServer(
        string? path, HttpRequest request, ClaimsPrincipal user, StopServer stop, CancellationToken cancellationToken)
    {
        if (!TryParseKey(user.HubName(), request.Path, out var key))
        {
            return NotFound();
        }
        var result = await stop.RunAsync(key, CollectLogs(request), waitForStop: !IsAsync(request), cancellationToken);
        return result switch
        {
            StopServerResult.Stopped stopped => TypedResults.Ok(new StopResponse(stopped.Logs)),
            StopServerResult.Accepted => TypedResults.Accepted((string?)null, new Dictionary<string, string>()),
            StopServerResult.NotFound => NotFound(),
            StopServerResult.Refused refused => new WireRefusal(refused.Refusal),
            _ => throw new System.Diagnostics.UnreachableException($"Unmapped result {result}"),
        };
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

    private static NotFound<Dictionary<string, string>> NotFound() => TypedResults.NotFound(new Dictionary<string, string> { ["detail"] = "Item not found" });

    /// <summary>Poll answer: <c>status</c> is null while the server runs.</summary>
    public sealed record PollResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
        int? Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("logs")] IReadOnlyList<string> Logs);

    /// <summary>Stop answer.</summary>
    public sealed record StopResponse([property: System.Text.Json.Serialization.JsonPropertyName("logs")] IReadOnlyList<string> Logs);
}
