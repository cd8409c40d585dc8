using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Outpost.Hubs;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// <c>GET /profiles[/]</c>: the Kubernetes profile list the calling hub may use, in KubeSpawner's shape without the
/// overrides (what a spawn form shows, not what the pod gets), so the hub can offer profiles and their options.
/// <c>{"profile_list": []}</c> when the Kubernetes backend is not configured.
/// </summary>
public static class ProfileListApi
{
    public static IEndpointRouteBuilder MapKubernetesProfiles(this IEndpointRouteBuilder app)
    {
        app.MapGroup("").RequireHub().WithTags("Profiles")
            .MapGet("/profiles", ListProfiles).WithName("ListProfiles");
        return app;
    }

    private static Ok<JsonObject> ListProfiles(ClaimsPrincipal user, IServiceProvider services)
    {
        var options = services.GetService<IOptions<KubernetesBackendOptions>>()?.Value;
        var backend = services.GetService<KubernetesBackend>();
        if (options is null || backend is null)
        {
            return TypedResults.Ok(ProfileListView.Render([]));
        }
        var catalog = services.GetRequiredService<BackendCatalog>();
        var routing = services.GetRequiredService<ServerProfiles>();
        // Only profiles whose start reaches this backend: Kubernetes is the default, or Outpost:Profiles sends the slug here.
        var reachable = ProfileSelection.VisibleTo(options.ProfileList, user.HubName())
            .Where(p => ReferenceEquals(routing.SelectBackend(Probe(p.Slug!), catalog), backend))
            .ToList();
        return TypedResults.Ok(ProfileListView.Render(reachable));
    }

    private static ServerSpec Probe(string slug) => new()
    {
        Name = "",
        StartId = "0",
        Env = new Dictionary<string, string>(),
        Profile = slug,
    };
}
