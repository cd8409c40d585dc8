using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Outpost.Wire;

/// <summary>The 413 answer to a body over the size limit, <c>{"detail": …}</c>; typed, so the OpenAPI document lists it.</summary>
public sealed class RequestTooLarge : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public static readonly RequestTooLarge Instance = new();

    private RequestTooLarge()
    {
    }

    public int StatusCode => StatusCodes.Status413PayloadTooLarge;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) =>
        TypedResults.Json(new Dictionary<string, string> { ["detail"] = "The request body is too large." }, WireJson.Strings, statusCode: StatusCode)
            .ExecuteAsync(httpContext);

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(Dictionary<string, string>), ["application/json"]));
}
