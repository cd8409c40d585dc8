namespace Outpost.Servers;

/// <summary>What a start request came to; each case is one answer on the wire.</summary>
public abstract record StartServerResult
{
    private StartServerResult()
    {
    }

    /// <summary>A synchronous start finished: the server runs at <paramref name="Service"/> (200).</summary>
    public sealed record Started(string Service) : StartServerResult;

    /// <summary>An asynchronous start is stored and runs in the background (202).</summary>
    public sealed record Accepted : StartServerResult;

    /// <summary>The body is not a valid start request (422).</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : StartServerResult;

    /// <summary>Refused by policy, quota or name, or the start failed (419).</summary>
    public sealed record Refused(Refusal Refusal) : StartServerResult;
}
