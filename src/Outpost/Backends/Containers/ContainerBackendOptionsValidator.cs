using System.Net;
using Microsoft.Extensions.Options;
using Outpost.Backends.Kubernetes;

namespace Outpost.Backends.Containers;

/// <summary>Checks the container backend's options at start-up; every error names its key.</summary>
public sealed class ContainerBackendOptionsValidator : IValidateOptions<ContainerBackendOptions>
{
    private const string Prefix = "Outpost:Backends:Containers";

    public ValidateOptionsResult Validate(string? name, ContainerBackendOptions options)
    {
        var errors = new List<string>();
        ValidateEndpoint(options, errors);
        if (!System.Text.RegularExpressions.Regex.IsMatch(options.ApiVersion, @"^v1\.\d{1,3}$"))
        {
            errors.Add($"{Prefix}:ApiVersion must look like v1.41 (got '{options.ApiVersion}').");
        }
        if (options.RequestTimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"{Prefix}:RequestTimeoutSeconds must be between 1 and 600 (got {options.RequestTimeoutSeconds}).");
        }
        if (!ContainerLabels.IsLabelSafe(options.InstanceName))
        {
            errors.Add($"{Prefix}:InstanceName must be 1 to 63 letters, digits, '-', '_' or '.' (got '{options.InstanceName}').");
        }
        ValidateImage(options.Image, $"{Prefix}:Image", required: true, errors);
        for (var i = 0; i < options.AllowedImages.Count; i++)
        {
            ValidateImage(options.AllowedImages[i], $"{Prefix}:AllowedImages:{i}", required: true, errors);
        }
        if (options.Command.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{Prefix}:Command must list a program and its arguments, with no empty item.");
        }
        ValidateEnvironment(options.Environment, $"{Prefix}:Environment", errors);
        if (options.NetworkMode != "host")
        {
            errors.Add($"{Prefix}:NetworkMode must be 'host' (got '{options.NetworkMode}'): other networks are not supported by this backend yet.");
        }
        if (!IPAddress.TryParse(options.Ip, out _))
        {
            errors.Add($"{Prefix}:Ip '{options.Ip}' is not an IP address.");
        }
        ValidateLimits(options.MemoryLimit, options.CpuLimit, Prefix, errors);
        foreach (var (flavor, resources) in options.Flavors)
        {
            ValidateLimits(resources.MemoryLimit, resources.CpuLimit, $"{Prefix}:Flavors:{flavor}", errors);
        }
        foreach (var (profile, settings) in options.Profiles)
        {
            var at = $"{Prefix}:Profiles:{profile}";
            ValidateImage(settings.Image, $"{at}:Image", required: false, errors);
            ValidateLimits(settings.MemoryLimit, settings.CpuLimit, at, errors);
            ValidateEnvironment(settings.Environment, $"{at}:Environment", errors);
        }
        if (options.User is { } user && !System.Text.RegularExpressions.Regex.IsMatch(user, @"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$"))
        {
            errors.Add($"{Prefix}:User must be a user name or id, optionally ':' and a group (got '{user}').");
        }
        if (options.WorkingDirectory is { } dir && !dir.StartsWith('/'))
        {
            errors.Add($"{Prefix}:WorkingDirectory must be an absolute path (got '{dir}').");
        }
        for (var i = 0; i < options.Volumes.Count; i++)
        {
            var volume = options.Volumes[i];
            var at = $"{Prefix}:Volumes:{i}";
            var sample = ContainerMounts.ExpandTemplate(volume.Source, "hub", "user", "server");
            if (!ContainerLabels.IsVolumeNameSafe(sample))
            {
                errors.Add($"{at}:Source must be a volume name template of letters, digits, '-', '_', '.' and {{hub}}, {{user}}, {{server}} (got '{volume.Source}').");
            }
            ValidateTarget(volume.Target, $"{at}:Target", errors);
        }
        for (var i = 0; i < options.AllowedBindSources.Count; i++)
        {
            if (!ContainerMounts.IsCleanAbsolutePath(options.AllowedBindSources[i]))
            {
                errors.Add($"{Prefix}:AllowedBindSources:{i} must be an absolute path without '..', ':' or ',' (got '{options.AllowedBindSources[i]}').");
            }
        }
        for (var i = 0; i < options.BindMounts.Count; i++)
        {
            var bind = options.BindMounts[i];
            var at = $"{Prefix}:BindMounts:{i}";
            var sample = ContainerMounts.ExpandTemplate(bind.Source, "hub", "user", "server");
            if (!ContainerMounts.IsCleanAbsolutePath(sample))
            {
                errors.Add($"{at}:Source must be an absolute host path without '..', ':' or ',' (got '{bind.Source}').");
            }
            else if (!ContainerMounts.IsUnder(sample, options.AllowedBindSources))
            {
                errors.Add($"{at}:Source '{bind.Source}' is not under any of {Prefix}:AllowedBindSources ({(options.AllowedBindSources.Count == 0 ? "none configured" : string.Join(", ", options.AllowedBindSources))}).");
            }
            ValidateTarget(bind.Target, $"{at}:Target", errors);
        }
        for (var i = 0; i < options.Tmpfs.Count; i++)
        {
            ValidateTarget(options.Tmpfs[i], $"{Prefix}:Tmpfs:{i}", errors);
        }
        foreach (var key in options.ExtraLabels.Keys.Where(k => k.StartsWith(ContainerLabels.Prefix, StringComparison.Ordinal) || k.Length == 0))
        {
            errors.Add($"{Prefix}:ExtraLabels:{key} may not be empty or start with '{ContainerLabels.Prefix}' (the backend's own labels).");
        }
        Range(options.StartTimeoutSeconds, 1, 3600, "StartTimeoutSeconds", errors);
        Range(options.PullTimeoutSeconds, 1, 7200, "PullTimeoutSeconds", errors);
        Range(options.StopGraceSeconds, 0, 3600, "StopGraceSeconds", errors);
        Range(options.OrphanGraceSeconds, 0, 86400, "OrphanGraceSeconds", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A memory limit and CPU limit, as configuration or misc writes them; adds the reasons they are not valid.</summary>
    internal static void ValidateLimits(string? memory, double? cpu, string at, List<string> errors)
    {
        if (memory is not null && ByteQuantity.TryParse(memory) is not > 0)
        {
            errors.Add($"{at}:MemoryLimit '{memory}' is not a size (bytes, or a number with K, M, G or T).");
        }
        if (cpu is { } cores && (cores <= 0 || cores > 1024 || double.IsNaN(cores)))
        {
            errors.Add($"{at}:CpuLimit must be more than 0 and at most 1024 cores (got {cores}).");
        }
    }

    private static void ValidateEndpoint(ContainerBackendOptions options, List<string> errors)
    {
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp"))
        {
            errors.Add($"{Prefix}:Endpoint must be unix:///path/to/socket or tcp://host:port (got '{options.Endpoint}').");
            return;
        }
        var tls = new[] { options.TlsCaFile, options.TlsCertFile, options.TlsKeyFile };
        if (uri.Scheme == "unix")
        {
            if (uri.AbsolutePath.Length <= 1)
            {
                errors.Add($"{Prefix}:Endpoint names no socket path (got '{options.Endpoint}').");
            }
            return;
        }
        if (uri.Port <= 0)
        {
            errors.Add($"{Prefix}:Endpoint must name a port (got '{options.Endpoint}').");
        }
        // The engine's API is root on its host: over a network it is only ever spoken with mutual TLS.
        if (tls.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{Prefix}:Endpoint is tcp://, which needs TlsCaFile, TlsCertFile and TlsKeyFile (mutual TLS).");
        }
    }

    private static void ValidateImage(string? image, string at, bool required, List<string> errors)
    {
        if (image is null && !required)
        {
            return;
        }
        if (string.IsNullOrWhiteSpace(image) || !ContainerSettings.IsImageReference(image))
        {
            errors.Add($"{at} must be an image reference such as registry.example/jupyter/minimal:2024 (got '{image}').");
        }
    }

    private static void ValidateEnvironment(Dictionary<string, string> environment, string at, List<string> errors)
    {
        foreach (var key in environment.Keys.Where(k => k.Length == 0 || k.Contains('=') || k.Contains('\0')))
        {
            errors.Add($"{at}:{key} is not a variable name.");
        }
    }

    private static void ValidateTarget(string target, string at, List<string> errors)
    {
        if (!ContainerMounts.IsCleanAbsolutePath(target))
        {
            errors.Add($"{at} must be an absolute path in the container without '..', ':' or ',' (got '{target}').");
        }
    }

    private static void Range(int value, int min, int max, string key, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Prefix}:{key} must be between {min} and {max} (got {value}).");
        }
    }
}
