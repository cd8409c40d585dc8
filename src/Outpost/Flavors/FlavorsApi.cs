namespace Outpost.Flavors;

/// <summary>
/// <c>GET /flavors[/]</c> and <c>POST /userflavors[/]</c>. Until flavors are configurable every hub
/// gets an empty map, which the outpostspawner reads as "no flavors defined".
/// </summary>
public static class FlavorsApi
{
    public static IEndpointRouteBuilder MapFlavors(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireAuthorization().WithTags("Flavors");
        group.MapGet("/flavors", ListFlavors).WithName("ListFlavors");
        group.MapPost("/userflavors", ListFlavors).WithName("ListUserFlavors");
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<Dictionary<string, object>> ListFlavors() => TypedResults.Ok(new Dictionary<string, object>());
}
