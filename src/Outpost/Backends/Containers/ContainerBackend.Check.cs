using Outpost.Backends.Containers.Docker;
using Outpost.Backends.Containers.Docker.Models;
using Outpost.Checks;

namespace Outpost.Backends.Containers;

/// <summary><c>outpost check</c>: the engine answers (which one, which version), and the image is there or may be pulled.</summary>
public sealed partial class ContainerBackend : IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var subject = $"Backend {Name}";
        DockerVersion version;
        try
        {
            await docker.PingAsync(cancellationToken);
            version = await docker.VersionAsync(cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            return [CheckLine.Fail(subject, $"the container engine at {docker.Endpoint} does not answer: {e.Message}",
                "start Docker, or Podman's service (podman system service --time=0 unix:///run/podman/podman.sock), or correct Outpost:Backends:Containers:Endpoint")];
        }
        var engine = version.Components?.FirstOrDefault(c => c.Name?.Contains("Podman", StringComparison.OrdinalIgnoreCase) == true) is { } podman
            ? $"Podman {podman.Version}"
            : $"Docker {version.Version}";
        var lines = new List<CheckLine> { CheckLine.Ok(subject, $"{engine} (API {version.ApiVersion}) answers at {docker.Endpoint}") };
        var images = new[] { settings.Image }.Concat(settings.Profiles.Values.Select(p => p.Image).OfType<string>()).Distinct(StringComparer.Ordinal);
        foreach (var image in images)
        {
            try
            {
                var present = await docker.InspectImageAsync(image, cancellationToken);
                lines.Add(present is not null
                    ? CheckLine.Ok(subject, $"image {image} is on the container host")
                    : settings.PullPolicy == ContainerPullPolicy.Never
                        ? CheckLine.Fail(subject, $"image {image} is not on the container host and PullPolicy is Never", $"pull or load {image} on the container host")
                        : CheckLine.Warn(subject, $"image {image} is not on the container host yet; the first start pulls it", $"pull {image} ahead to make the first start quick"));
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
            {
                lines.Add(CheckLine.Fail(subject, $"image {image} could not be looked up: {e.Message}", "check the engine's log"));
            }
        }
        return lines;
    }
}
