using System.Collections.Concurrent;
using Outpost.Backends;

namespace Outpost.IntegrationTests.Fakes;

/// <summary>
/// A backend steered per user name by the test: a start fails with a given message, or hangs until it is stopped,
/// or succeeds at once; a running server can be made to exit. Nothing runs; for tests of what the Outpost shows.
/// </summary>
public sealed class SteeredBackend : IBackend
{
    public const string BackendName = "Steered";

    public string Name => BackendName;

    /// <summary>User name → the message its starts fail with.</summary>
    public ConcurrentDictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>User names whose starts wait until they are cancelled.</summary>
    public ConcurrentDictionary<string, byte> Hangs { get; } = new(StringComparer.Ordinal);

    /// <summary>User name → how its running server ends when next observed (exit code, message).</summary>
    public ConcurrentDictionary<string, (int Code, string? Message)> Exits { get; } = new(StringComparer.Ordinal);

    /// <summary>User names whose status cannot be observed (answered Unknown).</summary>
    public ConcurrentDictionary<string, byte> Unobservable { get; } = new(StringComparer.Ordinal);

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var user = request.Spec.UserName;
        var handle = new BackendHandle(user);
        await context.SaveHandleAsync(handle, cancellationToken);
        if (Failures.TryGetValue(user, out var message))
        {
            throw new BackendException(message);
        }
        if (Hangs.ContainsKey(user))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        return new BackendStartResult(handle, "127.0.0.1:9");
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        Task.FromResult(
            Exits.TryGetValue(handle.Data, out var exit) ? BackendStatus.Exited(exit.Code, exit.Message)
            : Unobservable.ContainsKey(handle.Data) ? BackendStatus.Unknown("cannot tell")
            : BackendStatus.Running);

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
