namespace Outpost.Backends.Containers;

/// <summary>
/// What <c>user_options.profile</c> changes for a server on this backend (<c>Outpost:Backends:Containers:Profiles:&lt;name&gt;</c>).
/// Unset values keep the backend's own.
/// </summary>
public sealed class ContainerProfile
{
    /// <summary>Image for servers of this profile. Default: the backend's <see cref="ContainerBackendOptions.Image"/>.</summary>
    public string? Image { get; set; }

    /// <summary>Memory limit (see <see cref="ContainerResources.MemoryLimit"/>). Default: the backend's.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>CPU limit in cores. Default: the backend's.</summary>
    public double? CpuLimit { get; set; }

    /// <summary>Variables added to the backend's <see cref="ContainerBackendOptions.Environment"/>. Default none.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];
}
