using System.Net;

namespace Outpost.Backends.Containers.Docker;

/// <summary>The engine answered a call with an error status; <see cref="Exception.Message"/> carries the engine's own message.</summary>
public sealed class DockerApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;
}
