using Microsoft.AspNetCore.Http.HttpResults;
using Outpost.Backends;
using Outpost.Operations;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Admin;

/// <summary>
/// The operator's routes, answered only through the admin socket (<see cref="AdminSocket"/>): over TCP they do not
/// exist (404), and they are left out of the OpenAPI document. They act through the same use cases as the hubs'
/// routes: reads through the stores, a stop through <see cref="ServerStopper.StopAsync"/> with its locks, backend
/// stop and flavor update, so a hub's next poll answers 404 as after its own DELETE. A server is named by query
/// parameters (<c>hub</c>, <c>name</c>, <c>start_id</c>) because a user's default server has an empty name.
/// </summary>
public static partial class AdminApi
{
    /// <summary>Events listed by <c>/admin/events</c>, and by <c>/admin/server</c> for one server.</summary>
    private const int EventLimit = 200;
    private const int ServerEventLimit = 20;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").AllowAnonymous().ExcludeFromDescription()
            .AddEndpointFilter((context, next) => AdminSocket.IsAdminConnection(context.HttpContext)
                ? next(context)
                : ValueTask.FromResult<object?>(TypedResults.NotFound()));
        group.MapGet("/servers", ListServers);
        group.MapGet("/server", ShowServer);
        group.MapPost("/server/stop", StopServer);
        group.MapGet("/events", ListEvents);
        return app;
    }

    /// <summary>
    /// Serves only <c>/admin</c> on the admin socket and <c>/admin</c> nowhere else, before authentication: the socket
    /// is not a second way in to the hubs' routes, and TCP clients cannot tell the admin routes exist.
    /// </summary>
    public static IApplicationBuilder UseAdminChannel(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (AdminSocket.IsAdminConnection(context) != context.Request.Path.StartsWithSegments("/admin"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return next(context);
    });

    private static async Task<Results<Ok<AdminServer[]>, BadRequest<AdminError>>> ListServers(
        string? hub, string? state, IServerStore store, CancellationToken cancellationToken)
    {
        ServerPhase[] phases;
        if (string.IsNullOrEmpty(state))
        {
            phases = Enum.GetValues<ServerPhase>();
        }
        else if (Enum.TryParse<ServerPhase>(state, ignoreCase: true, out var phase) && !int.TryParse(state, out _))
        {
            phases = [phase];
        }
        else
        {
            return TypedResults.BadRequest(new AdminError(
                $"'{state}' is not a state; use one of {string.Join(", ", Enum.GetNames<ServerPhase>().Select(n => n.ToLowerInvariant()))}."));
        }
        var servers = string.IsNullOrEmpty(hub)
            ? await store.ListByPhaseAsync(phases, cancellationToken)
            : (await store.ListAsync(hub, cancellationToken)).Where(s => phases.Contains(s.Phase)).ToList();
        return TypedResults.Ok(servers.Select(AdminServer.From).ToArray());
    }

    private static async Task<Results<Ok<AdminServerDetail>, NotFound<AdminError>, Conflict<AdminError>>> ShowServer(
        string hub, string? name, string? start_id, IServerStore store, IEventOutbox outbox, ServerSpecCodec codec, CancellationToken cancellationToken)
    {
        var (record, missing, ambiguous) = await FindAsync(store, hub, name ?? "", start_id, cancellationToken);
        if (record is null)
        {
            return missing is not null ? missing : ambiguous!;
        }
        var events = await outbox.ListAsync(new EventQuery(Server: record.Key.ToString(), Limit: ServerEventLimit), cancellationToken);
        var handle = record.Handle is { } stored ? HandleRedactor.Redact(stored.Data, codec.Unprotect(record.ProtectedSpec).Env) : null;
        return TypedResults.Ok(new AdminServerDetail(
            AdminServer.From(record), record.UserId, record.ResourceName, record.EndDate, record.ExitCode, record.Error, record.Owner,
            handle, [.. events.Events.Select(AdminEvent.From)], events.Waiting));
    }

    private static async Task<Results<Ok<AdminServer>, NotFound<AdminError>, Conflict<AdminError>>> StopServer(
        string hub, string? name, string? start_id, IServerStore store, ServerStopper stopper, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (record, missing, ambiguous) = await FindAsync(store, hub, name ?? "", start_id, cancellationToken);
        if (record is null)
        {
            return missing is not null ? missing : ambiguous!;
        }
        // Who stopped a server is the first question when a user asks where it went.
        Log.StopRequested(loggers.CreateLogger("Outpost.Admin"), record.Key.ToString(), record.Phase.ToString());
        try
        {
            // As the hub's own synchronous DELETE: waits for the backend, then the row is gone.
            if (await stopper.StopAsync(record.Key, collectLogs: false, waitForStop: true, cancellationToken) is null)
            {
                return NotFoundOf(record.Key);
            }
        }
        catch (BackendException ex)
        {
            return TypedResults.Conflict(new AdminError($"{Describe(record.Key)} could not be stopped: {ex.Message}"));
        }
        return TypedResults.Ok(AdminServer.From(record));
    }

    private static async Task<Ok<AdminEventList>> ListEvents(string? hub, bool? undelivered, IEventOutbox outbox, CancellationToken cancellationToken)
    {
        var listing = await outbox.ListAsync(new EventQuery(Hub: string.IsNullOrEmpty(hub) ? null : hub, UndeliveredOnly: undelivered == true, Limit: EventLimit), cancellationToken);
        return TypedResults.Ok(new AdminEventList([.. listing.Events.Select(AdminEvent.From)], listing.Waiting));
    }

    /// <summary>
    /// The server of <paramref name="hub"/> named <paramref name="name"/>; without a start id, the only one of that name
    /// (a conflict that lists the start ids when there are several).
    /// </summary>
    private static async Task<(ServerRecord? Record, NotFound<AdminError>? Missing, Conflict<AdminError>? Ambiguous)> FindAsync(
        IServerStore store, string hub, string name, string? startId, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(startId))
        {
            var key = new ServerKey(hub, name, startId);
            return await store.FindAsync(key, cancellationToken) is { } found ? (found, null, null) : (null, NotFoundOf(key), null);
        }
        var named = (await store.ListAsync(hub, cancellationToken)).Where(s => s.Key.Name == name).ToList();
        return named.Count switch
        {
            1 => (named[0], null, null),
            0 => (null, TypedResults.NotFound(new AdminError($"Hub '{hub}' has no server {DisplayName(name)} on this Outpost.")), null),
            _ => (null, null, TypedResults.Conflict(new AdminError(
                $"Hub '{hub}' has {named.Count} servers {DisplayName(name)} (start ids {string.Join(", ", named.Select(s => s.Key.StartId))}); give the start id."))),
        };
    }

    private static NotFound<AdminError> NotFoundOf(ServerKey key) => TypedResults.NotFound(new AdminError($"There is no server {Describe(key)} on this Outpost."));

    internal static string Describe(ServerKey key) => $"{key.Hub}/{DisplayName(key.Name)}/{key.StartId}";

    internal static string DisplayName(string name) => name.Length == 0 ? "(default)" : name;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AdminStopRequested, Level = LogLevel.Information, Message = "Stop of {Server} ({Phase}) requested through the admin socket")]
        public static partial void StopRequested(ILogger logger, string server, string phase);
    }
}
