namespace Outpost.Servers;

/// <summary>What a stop request came to; each case is one answer on the wire.</summary>
public abstract record StopServerResult
{
    private StopServerResult()
    {
    }

    /// <summary>The server is stopped and removed; its last logs when they were asked for (200).</summary>
    public sealed record Stopped(IReadOnlyList<string> Logs) : StopServerResult;

    /// <summary>An asynchronous stop continues in the background (202).</summary>
    public sealed record Accepted : StopServerResult;

    /// <summary>The hub has no such server (404).</summary>
    public sealed record NotFound : StopServerResult;

    /// <summary>The backend could not stop it (419).</summary>
    public sealed record Refused(Refusal Refusal) : StopServerResult;
}
