using Outpost.Backends;

namespace Outpost.Bench;

/// <summary>
/// A backend that runs nothing: a start succeeds after <see cref="StartDelay"/> (zero by default) and
/// every server answers Running. What the bench measures with it is the Outpost alone (API, auth,
/// storage, the poll and start use cases), without any workload. Selected with <c>Outpost:Backends:Default=Instant</c>
/// after <see cref="AddInstantBackend"/>; it exists only in the bench, never in the product.
/// </summary>
public sealed class InstantBackend(TimeSpan startDelay) : IBackend
{
    public const string BackendName = "Instant";
    private static readonly BackendHandle Handle = new("{}");
    private static readonly Task<BackendStatus> Running = Task.FromResult(BackendStatus.Running);
    private static readonly Task<IReadOnlyList<string>> NoLogs = Task.FromResult<IReadOnlyList<string>>([]);
    private int _nextPort = 20000;

    public string Name => BackendName;

    /// <summary>How long every start takes: the backend's own time, which P3 compares the wall time with.</summary>
    public TimeSpan StartDelay { get; } = startDelay;

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        if (StartDelay > TimeSpan.Zero)
        {
            await Task.Delay(StartDelay, cancellationToken);
        }
        // A made-up address: nothing listens there, and nothing in the Outpost connects to it.
        var port = 20000 + (Interlocked.Increment(ref _nextPort) % 40000);
        return new BackendStartResult(Handle, $"127.0.0.1:{port}");
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) => Running;

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) => NoLogs;

    /// <summary>Registers the backend beside the configured ones; it becomes the default through configuration.</summary>
    public static void AddInstantBackend(WebApplicationBuilder builder, TimeSpan startDelay = default) =>
        builder.Services.AddSingleton<IBackend>(new InstantBackend(startDelay));
}
