namespace Outpost.Operations;

/// <summary>Which backend call failed, for <c>outpost_backend_errors_total</c>.</summary>
public enum BackendErrorKind
{
    Start,
    Stop,
    Status,
    StatusUnknown,
    Logs,
}
