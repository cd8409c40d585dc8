using Outpost.Bench.Hosts;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Bench;

/// <summary>
/// Extra routes mapped into the Outpost under test (never into the product), each doing a part of a
/// poll behind the Outpost's real middleware (request metrics, authentication, authorization), so the
/// bench can tell what each part costs under load. All answer like a poll of a running server.
/// </summary>
public static class DiagnosticRoutes
{
    /// <summary>No authorization required (authentication still runs: the hub scheme is the default).</summary>
    public const string Anonymous = "/bench/anonymous";

    /// <summary>Requires an authenticated hub, like the real routes.</summary>
    public const string Authorized = "/bench/authorized";

    /// <summary>Authorized, plus the store read of the real poll (<see cref="IServerStore.FindPollStateAsync"/>).</summary>
    public const string Find = "/bench/find";

    public static void Map(WebApplication app)
    {
        app.MapGet($"{Anonymous}/services/{{name}}/{{startId}}", () => TypedResults.Ok(PollAnswer.Running)).AllowAnonymous();
        app.MapGet($"{Authorized}/services/{{name}}/{{startId}}", () => TypedResults.Ok(PollAnswer.Running)).RequireAuthorization();
        app.MapGet($"{Find}/services/{{name}}/{{startId}}", async (string name, string startId, IServerStore store, CancellationToken cancellationToken) =>
        {
            var state = await store.FindPollStateAsync(new ServerKey(BenchHost.Hub, name, startId), cancellationToken);
            return state is null ? Results.NotFound() : TypedResults.Ok(PollAnswer.Running);
        }).RequireAuthorization();
    }
}
