namespace Outpost.Backends;

/// <summary>Options bound to <c>Outpost:Backends</c>.</summary>
public sealed class BackendsOptions
{
    /// <summary>
    /// Name of the backend used when a request selects no profile. Default "Local", the embedded
    /// local-process backend.
    /// </summary>
    public string Default { get; set; } = BackendNames.Local;
}
