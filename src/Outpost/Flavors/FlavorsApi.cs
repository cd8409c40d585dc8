using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Outpost.Hubs;

namespace Outpost.Flavors;

/// <summary>
/// <c>GET /flavors[/]</c>: the hub's flavors with their current usage; <c>POST /userflavors[/]</c>: the
/// flavors of the user whose authentication data (name, groups …) is the body. Empty when flavors are
/// not configured, which the outpostspawner reads as "no flavors".
/// </summary>
public static class FlavorsApi
{
    public static IEndpointRouteBuilder MapFlavors(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireHub().WithTags("Flavors");
        group.MapGet("/flavors", ListFlavors).WithName("ListFlavors");
        group.MapPost("/userflavors", ListUserFlavors).WithName("ListUserFlavors").Accepts<JsonElement>("application/json", "*/*");
        return app;
    }

    private static async Task<Ok<JsonObject>> ListFlavors(ClaimsPrincipal user, FlavorUsage usage, CancellationToken cancellationToken) =>
        TypedResults.Ok(await usage.ForHubAsync(user.HubName(), cancellationToken));

    private static async Task<Results<Ok<JsonObject>, UnprocessableEntity<Servers.ValidationProblem>, Wire.RequestTooLarge>> ListUserFlavors(
        HttpRequest request, ClaimsPrincipal user, FlavorUsage usage, CancellationToken cancellationToken)
    {
        var body = await Wire.JsonRequestBody.ReadAsync(request, cancellationToken);
        if (body.TooLarge)
        {
            return Wire.RequestTooLarge.Instance;
        }
        if (body.Invalid is { } invalid)
        {
            return TypedResults.UnprocessableEntity(invalid);
        }
        if (body.Value.ValueKind != JsonValueKind.Object)
        {
            return TypedResults.UnprocessableEntity(new Servers.ValidationProblem([new("dict_type", ["body"], "The body must be the user's authentication object.")]));
        }
        return TypedResults.Ok(await usage.ForUserAsync(user.HubName(), body.Value, cancellationToken));
    }
}
