using Outpost.Checks;

namespace Outpost.Backends;

/// <summary>
/// A backend that can show, without starting a server, that it would work: its program is there, its cluster
/// answers, it may do what it needs to. Used by <c>outpost check</c>; a check never creates anything.
/// </summary>
public interface IBackendCheck
{
    /// <summary>One or more lines, each naming the backend in its subject.</summary>
    Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken);
}
