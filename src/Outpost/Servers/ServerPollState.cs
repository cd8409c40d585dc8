using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>
/// The part of a stored server a poll needs: small, and free of secrets (no spec), so a store may keep
/// it in memory for every server.
/// </summary>
public sealed record ServerPollState(long Id, ServerPhase Phase, string Backend, BackendHandle? Handle, int? ExitCode, string? Error)
{
    public static ServerPollState From(ServerRecord record) =>
        new(record.Id, record.Phase, record.Backend, record.Handle, record.ExitCode, record.Error);
}
