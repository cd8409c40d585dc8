using Outpost.Backends;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>The queries the server features need. Every lookup is scoped by hub.</summary>
public interface IServerStore
{
    Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default);

    Task<ServerRecord?> FindByIdAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a Pending server in one transaction: refused when an active server holds the same key,
    /// and an ended one with that key is replaced.
    /// </summary>
    Task<InsertOutcome> InsertAsync(ServerRecord server, CancellationToken cancellationToken = default);

    /// <summary>Moves a server from <paramref name="from"/> to <paramref name="to"/>; false when it was not in <paramref name="from"/>.</summary>
    Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default);

    Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default);

    Task DeleteAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Counts of servers per backend and phase, for metrics.</summary>
    Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>Fields a transition may set; null leaves a field as it is.</summary>
public sealed record ServerChanges
{
    public static readonly ServerChanges None = new();

    public string? ServiceAddress { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public BackendHandle? Handle { get; init; }
}

/// <summary>The result of <see cref="IServerStore.InsertAsync"/>.</summary>
public sealed record InsertOutcome(ServerRecord? Inserted, ServerRecord? Blocking)
{
    public bool Succeeded => Inserted is not null;
}
