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
    /// Inserts a Pending server in one transaction: refused when an active server holds the same key
    /// or when <paramref name="quota"/> is reached (counted in the same transaction, so concurrent
    /// starts can never overshoot); an ended server with that key is replaced.
    /// </summary>
    Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default);

    /// <summary>Servers of <paramref name="hub"/> that count against limits (not stopping or ended), per flavor.</summary>
    Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default);

    /// <summary>Running or starting servers whose end date has passed (oldest first, at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

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

/// <summary>
/// Limits checked atomically with an insert. Counted are the hub's servers that are not stopping or
/// ended; null means unlimited.
/// </summary>
/// <param name="MaxOfFlavor">Servers of the new server's flavor, per hub.</param>
/// <param name="MaxOfFlavorPerUser">Servers of that flavor per user (by user id).</param>
/// <param name="MaxPerUser">Servers per user (by user id), whatever their flavor.</param>
public sealed record ServerQuota(int? MaxOfFlavor, int? MaxOfFlavorPerUser, int? MaxPerUser)
{
    public bool IsUnlimited => MaxOfFlavor is null && MaxOfFlavorPerUser is null && MaxPerUser is null;
}

/// <summary>Which limit of a <see cref="ServerQuota"/> refused an insert.</summary>
public enum QuotaLimit
{
    OfFlavor,
    OfFlavorPerUser,
    PerUser,
}

/// <summary>The result of <see cref="IServerStore.InsertAsync"/>: inserted, blocked by an active server, or over a limit.</summary>
public sealed record InsertOutcome(ServerRecord? Inserted, ServerRecord? Blocking, QuotaLimit? Exceeded = null)
{
    public bool Succeeded => Inserted is not null;
}
