namespace Outpost.Operations;

/// <summary>How a start ended, for <c>outpost_starts_total</c>.</summary>
public enum StartOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}
