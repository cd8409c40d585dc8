using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Outpost.Wire;

namespace Outpost.Servers;

/// <summary>The 419 answer with the original Outpost's error body (<see cref="WireError"/>); typed, so the OpenAPI document lists it.</summary>
public sealed class WireRefusal(Refusal refusal) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<WireError>, IValueHttpResult
{
    public WireError Value { get; } = WireError.From(refusal.ErrorClass, refusal.Message);

    object? IValueHttpResult.Value => Value;

    public int StatusCode => WireError.StatusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Json(Value, WireJson.Error, statusCode: StatusCode).ExecuteAsync(httpContext);

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(WireError.StatusCode, typeof(WireError), ["application/json"]));
}
