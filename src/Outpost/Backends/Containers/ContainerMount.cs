namespace Outpost.Backends.Containers;

/// <summary>
/// A folder mounted into every server's container. For a named volume, <see cref="Source"/> is a name template with
/// <c>{hub}</c>, <c>{user}</c> and <c>{server}</c> (replaced by safe slugs plus a hash, so any user name gives a valid,
/// distinct name); for a bind mount it is an absolute host path, with the same placeholders, that must lie under one of
/// <see cref="ContainerBackendOptions.AllowedBindSources"/>.
/// </summary>
public sealed class ContainerMount
{
    /// <summary>Volume name template, or host path (bind mounts). Required.</summary>
    public string Source { get; set; } = "";

    /// <summary>Absolute path in the container. Required.</summary>
    public string Target { get; set; } = "";

    /// <summary>Mounted read-only. Default false for volumes; bind mounts default to true.</summary>
    public bool? ReadOnly { get; set; }
}
