namespace Outpost.Servers;

/// <summary>What a poll came to; each case is one answer on the wire.</summary>
public abstract record PollServerResult
{
    private PollServerResult()
    {
    }

    /// <summary>The server's state: <paramref name="Status"/> is null while it runs (or starts), else its exit code (200).</summary>
    public sealed record Polled(int? Status, IReadOnlyList<string> Logs) : PollServerResult;

    /// <summary>The hub has no such server (404).</summary>
    public sealed record NotFound : PollServerResult;

    /// <summary>The backend could not be asked (419).</summary>
    public sealed record Refused(Refusal Refusal) : PollServerResult;
}
