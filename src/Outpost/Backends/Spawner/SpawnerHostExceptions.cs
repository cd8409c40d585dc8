namespace Outpost.Backends.Spawner;

/// <summary>The spawner's own code failed a call: the host answered with the Python exception.</summary>
public sealed class SpawnerCallException(string errorClass, string module, string message, string traceback)
    : Exception(message.Length > 0 ? message : errorClass)
{
    /// <summary>The exception's class name, e.g. <c>RuntimeError</c>, <c>SpawnerConfigError</c>, <c>CancelledError</c>.</summary>
    public string ErrorClass { get; } = errorClass;

    public string Module { get; } = module;

    /// <summary>The Python traceback: for the Outpost's log, never for the hub.</summary>
    public string Traceback { get; } = traceback;
}

/// <summary>The host could not answer: it is not running, it ended during the call, or it did not answer in time.</summary>
public sealed class SpawnerHostUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
