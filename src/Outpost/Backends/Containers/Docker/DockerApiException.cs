using System.Net;

namespace Outpost.Backends.Containers.Docker;

/// <summary>The engine answered a call with an error status; <see cref="Exception.Message"/> carries the engine's own message.</summary>
public sealed class DockerApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>
    /// The object is gone. Podman answers 500 "…: no such container" when it is asked about a container while another
    /// call removes it, so that counts as gone too.
    /// </summary>
    public bool IsNotFound =>
        StatusCode == HttpStatusCode.NotFound
        || (StatusCode == HttpStatusCode.InternalServerError && Message.EndsWith("no such container", StringComparison.OrdinalIgnoreCase));

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;
}
