using System.Net;
using Outpost.Backends.Containers.Docker;

namespace Outpost.Tests.Backends.Containers;

public sealed class DockerApiExceptionTests
{
    [Theory]
    [InlineData(HttpStatusCode.NotFound, "no such container", true)]
    [InlineData(HttpStatusCode.InternalServerError, "container 3bd46e9f does not exist in database: no such container", true)]
    [InlineData(HttpStatusCode.InternalServerError, "container state improper", false)]
    [InlineData(HttpStatusCode.Conflict, "no such container", false)]
    public void IsNotFound_404OrPodmansRemovalRace(HttpStatusCode status, string message, bool notFound) =>
        Assert.Equal(notFound, new DockerApiException(status, message).IsNotFound);
}
