namespace Outpost.Backends;

/// <summary>
/// The backend's own record of one server (a PID, a pod name, a job id), opaque to everything else.
/// Stored encrypted; <see cref="Data"/> is usually a small JSON document.
/// </summary>
public sealed record BackendHandle(string Data);
