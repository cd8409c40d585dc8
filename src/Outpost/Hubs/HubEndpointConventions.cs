using Microsoft.AspNetCore.Http.Metadata;

namespace Outpost.Hubs;

public static class HubEndpointConventions
{
    /// <summary>
    /// Routes only an authenticated hub may call. Their OpenAPI entries list what authentication answers:
    /// 401 for missing or wrong credentials, 429 while a client's failures are limited (<see cref="HubAuthenticationHandler"/>).
    /// </summary>
    public static RouteGroupBuilder RequireHub(this RouteGroupBuilder group)
    {
        group.RequireAuthorization().WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Dictionary<string, string>), ["application/json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(Dictionary<string, string>), ["application/json"]));
        return group;
    }
}
