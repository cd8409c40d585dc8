using System.Globalization;
using Outpost.Backends.Containers.Docker;
using Outpost.Backends.Containers.Docker.Models;
using Outpost.Servers;

namespace Outpost.Backends.Containers;

/// <summary>
/// Builds the body of <c>POST /containers/create</c> for one server (pure: no engine, no files), from the request, the
/// resolved settings and the backend's options.
/// </summary>
public static class ContainerTemplate
{
    /// <summary>Where internal_ssl material is mounted in the container (read-only).</summary>
    public const string CertsMountPath = "/etc/jupyterhub/internal-ssl";

    /// <remarks>
    /// <c>certsFolder</c> is the host folder with server.key, server.crt and notebooks-ca_trust.crt; null without internal_ssl.
    /// The server binds <c>ip</c>:<c>port</c> on the host network.
    /// </remarks>
    public static DockerContainerCreate Build(
        BackendStartRequest request, ContainerSettings settings, ContainerBackendOptions options, string ip, int port, string? certsFolder)
    {
        var command = options.Command.Length == 0 ? ContainerBackendOptions.DefaultCommand : options.Command;
        var hub = ContainerMounts.SafeName(request.Key.Hub);
        var user = ContainerMounts.SafeName(request.Spec.UserName);
        var server = ContainerMounts.SafeName(request.Key.Name);
        var binds = new List<string>();
        foreach (var volume in options.Volumes)
        {
            var name = ContainerMounts.ExpandTemplate(volume.Source, hub, user, server);
            binds.Add($"{name}:{volume.Target}:{(volume.ReadOnly == true ? "ro" : "rw")}");
        }
        foreach (var bind in options.BindMounts)
        {
            var source = ContainerMounts.ExpandTemplate(bind.Source, hub, user, server);
            binds.Add($"{source}:{bind.Target}:{(bind.ReadOnly == false ? "rw" : "ro")}");
        }
        if (certsFolder is not null)
        {
            binds.Add($"{certsFolder}:{CertsMountPath}:ro");
        }
        return new DockerContainerCreate
        {
            Image = settings.Image,
            // Entrypoint and Cmd both set: the image's entrypoint (often a shell wrapper) is not run around ours.
            Entrypoint = [command[0]],
            Cmd = [.. command.Skip(1), .. options.Args],
            Env = [.. Environment(request.Spec, settings, ip, port, certsFolder is not null).Select(kv => $"{kv.Key}={kv.Value}")],
            User = options.User,
            WorkingDir = options.WorkingDirectory,
            Labels = ContainerLabels.For(options.InstanceName, request.Key, request.Spec.UserName, options.ExtraLabels),
            HostConfig = new DockerHostConfig
            {
                NetworkMode = options.NetworkMode,
                Memory = settings.MemoryBytes,
                NanoCpus = settings.CpuLimit is { } cores ? (long)Math.Round(cores * 1e9) : null,
                Binds = binds.Count == 0 ? null : binds,
                Tmpfs = options.Tmpfs.Count == 0 ? null : options.Tmpfs.ToDictionary(path => path, _ => "rw,nosuid,nodev", StringComparer.Ordinal),
                ReadonlyRootfs = options.ReadOnlyRootFilesystem,
                CapDrop = options.DropAllCapabilities ? ["ALL"] : null,
                SecurityOpt = options.NoNewPrivileges ? ["no-new-privileges"] : null,
            },
        };
    }

    /// <summary>
    /// The server's environment, sorted by name: the administrator's and profile's variables, the hub's (already
    /// policy-filtered), then what only the Outpost knows: where the server listens and where its certificates are.
    /// </summary>
    public static SortedDictionary<string, string> Environment(ServerSpec spec, ContainerSettings settings, string ip, int port, bool secure)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings.Environment)
        {
            env[key] = value;
        }
        foreach (var (key, value) in spec.Env)
        {
            env[key] = value;
        }
        var path = "/";
        if (spec.Env.TryGetValue(HubEnv.ServiceUrl, out var sent) && Uri.TryCreate(sent, UriKind.Absolute, out var uri))
        {
            path = uri.AbsolutePath;
        }
        else if (spec.Env.TryGetValue("JUPYTERHUB_SERVICE_PREFIX", out var prefix) && prefix.StartsWith('/'))
        {
            path = prefix;
        }
        var host = ip.Contains(':') ? $"[{ip}]" : ip;
        env[HubEnv.ServiceUrl] = string.Create(CultureInfo.InvariantCulture, $"{(secure ? "https" : "http")}://{host}:{port}{path}");
        if (secure)
        {
            // Paths in the container win over the paths the hub sent: those exist on the hub, not here.
            env[HubEnv.SslKeyFile] = $"{CertsMountPath}/server.key";
            env[HubEnv.SslCertFile] = $"{CertsMountPath}/server.crt";
            env[HubEnv.SslClientCa] = $"{CertsMountPath}/notebooks-ca_trust.crt";
        }
        else
        {
            env.Remove(HubEnv.SslKeyFile);
            env.Remove(HubEnv.SslCertFile);
            env.Remove(HubEnv.SslClientCa);
        }
        return env;
    }
}
