namespace Outpost.Backends;

/// <summary>
/// A failure the user should read: its message reaches the hub (419 <c>args[0]</c>, or a failed event),
/// so it says what went wrong and, where possible, what to do. It never contains secrets.
/// </summary>
public sealed class BackendException(string message, Exception? inner = null) : Exception(message, inner);
