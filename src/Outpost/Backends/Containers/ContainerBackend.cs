using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Outpost.Backends.Containers.Docker;
using Outpost.Backends.Containers.Docker.Models;
using Outpost.Events;
using Outpost.Servers;

namespace Outpost.Backends.Containers;

/// <summary>
/// Runs each server as one container through the Docker Engine API (Docker, or Podman's compatible service). The
/// container's name is stored before the container exists and its labels name instance, hub, user, server and start,
/// so a restarted Outpost adopts it by its handle and removes containers that no stored server owns.
/// </summary>
public sealed partial class ContainerBackend(
    IOptions<ContainerBackendOptions> options,
    DockerClient docker,
    TimeProvider time,
    ILogger<ContainerBackend> logger) : IBackend
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int EarlyExitLogLines = 20;

    public string Name => BackendNames.Containers;

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            ContainerSettings.Resolve(options.Value, spec);
            return HostPorts.Requested(spec, out _);
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var resolved = ContainerSettings.Resolve(settings, request.Spec);
        await EnsureImageAsync(resolved.Image, context, cancellationToken);

        var ip = settings.Ip;
        var port = HostPorts.Choose(request.Spec, ip);
        var certsFolder = WriteCerts(request.Spec.Certs, request.WorkDirectory);
        var body = ContainerTemplate.Build(request, resolved, settings, ip, port, certsFolder);
        var handle = new ContainerHandle(request.ResourceName, ip, port);
        // Stored before the container exists: a stop, a cancelled start or a restart finds it by this name.
        await context.SaveHandleAsync(handle.ToBackendHandle(), cancellationToken);

        await context.ReportAsync(new ProgressEvent(50, $"Creating container {handle.Container} from {resolved.Image}."), cancellationToken);
        var id = await CreateAsync(handle.Container, body, request.Key, cancellationToken);
        await Call(() => docker.StartContainerAsync(id, cancellationToken), "start the server's container");
        Log.Started(logger, request.Key.ToString(), handle.Container, port);
        await context.ReportAsync(new ProgressEvent(70, $"Container {handle.Container} started; waiting for the server to listen on {ip}:{port}."), cancellationToken);
        await WaitUntilListeningAsync(handle, cancellationToken);
        await context.ReportAsync(new ProgressEvent(90, $"Server is listening on {ip}:{port}."), cancellationToken);
        return new BackendStartResult(handle.ToBackendHandle(), $"{(ip.Contains(':') ? $"[{ip}]" : ip)}:{port}");
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var container = ContainerHandle.From(handle);
        DockerContainer? inspected;
        try
        {
            inspected = await docker.InspectContainerAsync(container.Container, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return BackendStatus.Unknown($"The container engine could not be asked about {container.Container}: {e.Message}");
        }
        return Observe(inspected);
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var container = ContainerHandle.From(handle);
        await Call(async () =>
        {
            await docker.StopContainerAsync(container.Container, options.Value.StopGraceSeconds, cancellationToken);
            await docker.RemoveContainerAsync(container.Container, cancellationToken);
        }, $"stop container {container.Container}");
        Log.Removed(logger, container.Container);
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var container = ContainerHandle.From(handle);
        try
        {
            return await docker.LogsAsync(container.Container, maxLines, cancellationToken);
        }
        catch (DockerApiException e) when (e.IsNotFound)
        {
            return [];
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new BackendException($"The server's log could not be read: {e.Message}", e);
        }
    }

    private static BackendStatus Observe(DockerContainer? inspected)
    {
        if (inspected?.State is not { } state)
        {
            return BackendStatus.Exited(0, "The server's container is gone.");
        }
        if (state.Running || state.Status is "created" or "restarting" or "paused" or "configured" or "initialized")
        {
            return BackendStatus.Running;
        }
        var reason = state.OOMKilled ? " after it ran out of memory" : "";
        return BackendStatus.Exited(state.ExitCode, state.ExitCode == 0 && !state.OOMKilled
            ? null
            : $"The server's container exited with code {state.ExitCode}{reason}.");
    }

    private async Task EnsureImageAsync(string image, IStartContext context, CancellationToken cancellationToken)
    {
        var policy = options.Value.PullPolicy;
        if (policy != ContainerPullPolicy.Always)
        {
            var present = await Call(() => docker.InspectImageAsync(image, cancellationToken), $"look up image {image}");
            if (present is not null)
            {
                return;
            }
            if (policy == ContainerPullPolicy.Never)
            {
                throw new BackendException($"The image {image} is not on the container host, and this Outpost never pulls images (PullPolicy Never).");
            }
        }
        await context.ReportAsync(new ProgressEvent(10, $"Pulling image {image}."), cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.PullTimeoutSeconds));
        long? lastReport = null;
        string? lastStatus = null;
        try
        {
            await docker.PullImageAsync(image, async message =>
            {
                // The first message at once, then one a second at most: a pull writes a line per layer and per chunk.
                var text = string.Join(' ', new[] { message.Id, message.Status, message.Progress }.Where(s => !string.IsNullOrWhiteSpace(s)));
                if (text.Length == 0 || text == lastStatus || (lastReport is { } last && time.GetElapsedTime(last) < TimeSpan.FromSeconds(1)))
                {
                    return;
                }
                lastStatus = text;
                lastReport = time.GetTimestamp();
                await context.ReportAsync(new ProgressEvent(20, $"Pulling image {image}: {text}"), cancellationToken);
            }, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException($"Pulling the image {image} took longer than {options.Value.PullTimeoutSeconds} s.");
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new BackendException($"The image {image} could not be pulled: {e.Message}", e);
        }
        await context.ReportAsync(new ProgressEvent(40, $"Image {image} pulled."), cancellationToken);
    }

    private async Task<string> CreateAsync(string name, DockerContainerCreate body, ServerKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.CreateContainerAsync(name, body, cancellationToken);
        }
        catch (DockerApiException e) when (e.IsConflict || e.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
        {
            // The name holds hub, user, server and start id: a container by that name is a leftover of this very start
            // (e.g. a retried start after a crash), unless its labels say it belongs to someone else.
            var existing = await Call(() => docker.InspectContainerAsync(name, cancellationToken), $"look up container {name}");
            var labels = existing?.Config?.Labels ?? new Dictionary<string, string>();
            if (existing is not null && !(labels.GetValueOrDefault(ContainerLabels.Instance) == options.Value.InstanceName &&
                                          labels.GetValueOrDefault(ContainerLabels.Hub) == key.Hub &&
                                          labels.GetValueOrDefault(ContainerLabels.Server) == key.Name &&
                                          labels.GetValueOrDefault(ContainerLabels.StartId) == key.StartId))
            {
                throw new BackendException($"A container named {name} already exists on the container host and belongs to something else.");
            }
            await Call(() => docker.RemoveContainerAsync(name, cancellationToken), $"remove the leftover container {name}");
            return await Call(() => docker.CreateContainerAsync(name, body, cancellationToken), "create the server's container");
        }
        catch (DockerApiException e)
        {
            throw new BackendException($"The server's container could not be created: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new BackendException($"The container engine at {docker.Endpoint} could not be reached: {e.Message}", e);
        }
    }

    private async Task WaitUntilListeningAsync(ContainerHandle handle, CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(handle.Ip);
        var target = address.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address;
        var started = time.GetTimestamp();
        var limit = TimeSpan.FromSeconds(options.Value.StartTimeoutSeconds);
        var lastInspect = 0L;
        while (true)
        {
            // The engine is asked at most every 250 ms; the port is tried every 20 ms, which costs next to nothing.
            if (time.GetElapsedTime(lastInspect) >= TimeSpan.FromMilliseconds(250))
            {
                lastInspect = time.GetTimestamp();
                var status = Observe(await Call(() => docker.InspectContainerAsync(handle.Container, cancellationToken), $"look up container {handle.Container}"));
                if (status.State == BackendState.Exited)
                {
                    var tail = await LastLinesAsync(handle.Container, cancellationToken);
                    throw new BackendException(
                        $"The server's container exited with code {status.ExitCode} before it listened on port {handle.Port}. Last output:\n{string.Join('\n', tail)}");
                }
            }
            using (var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(target, handle.Port), cancellationToken);
                    return;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }
            if (time.GetElapsedTime(started) > limit)
            {
                var tail = await LastLinesAsync(handle.Container, cancellationToken);
                throw new BackendException(
                    $"The server did not listen on port {handle.Port} within {options.Value.StartTimeoutSeconds} s. Last output:\n{string.Join('\n', tail)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<string>> LastLinesAsync(string container, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.LogsAsync(container, EarlyExitLogLines, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return [$"(the log could not be read: {e.Message})"];
        }
    }

    /// <summary>Runs an engine call; a failure becomes a <see cref="BackendException"/> saying what could not be done.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new BackendException($"Could not {what}: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new BackendException($"Could not {what}: the container engine at {docker.Endpoint} could not be reached ({e.Message}).", e);
        }
    }

    private Task Call(Func<Task> call, string what) => Call(async () => { await call(); return true; }, what);

    /// <summary>
    /// internal_ssl: the PEM files in a folder of their own under the server's private work folder, bind-mounted
    /// read-only. The folder and files are readable by all because the container's user is not the Outpost's; the
    /// work folder above (mode 0700) keeps other users of the host out, and the mount exposes only this folder.
    /// </summary>
    private static string? WriteCerts(ServerCerts? certs, string workDirectory)
    {
        if (certs is null)
        {
            return null;
        }
        var folder = Path.Combine(Path.GetFullPath(workDirectory), "internal-ssl");
        Directory.CreateDirectory(folder, OwnerOnly);
        Write(folder, "server.key", certs.KeyFile);
        Write(folder, "server.crt", certs.CertFile);
        Write(folder, "notebooks-ca_trust.crt", certs.CaFile);
        if (certs.TrustBundles.Count > 0)
        {
            var bundles = Directory.CreateDirectory(Path.Combine(folder, "trust-bundles"), OwnerOnly).FullName;
            foreach (var (component, pem) in certs.TrustBundles)
            {
                Write(bundles, $"{component}.crt", pem);
            }
            File.SetUnixFileMode(bundles, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        File.SetUnixFileMode(folder, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return folder;
    }

    private static void Write(string folder, string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.Delete(path);
        File.WriteAllText(path, content, Encoding.UTF8);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
