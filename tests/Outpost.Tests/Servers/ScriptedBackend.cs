using System.Collections.Concurrent;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

/// <summary>
/// A backend whose answers the test sets: a start reports progress, saves its handle and returns (or throws, or waits
/// for the test to release it); status, stop and logs answer as set. Every stopped handle is recorded.
/// </summary>
internal sealed class ScriptedBackend : IBackend
{
    public const string BackendName = "Scripted";

    public string Name => BackendName;

    /// <summary>What a start throws after saving its handle; null to succeed.</summary>
    public Exception? StartFailure { get; set; }

    /// <summary>When set, a start waits for it (or for its cancellation) after saving its handle.</summary>
    public TaskCompletionSource? StartGate { get; set; }

    /// <summary>Completes when a start has saved its handle.</summary>
    public TaskCompletionSource StartEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<BackendHandle, BackendStatus> Status { get; set; } = _ => BackendStatus.Running;

    public Exception? StopFailure { get; set; }

    public IReadOnlyList<string> Logs { get; set; } = [];

    public ConcurrentQueue<string> Stopped { get; } = new();

    public string? Refusal { get; set; }

    public string? Check(ServerKey key, ServerSpec spec) => Refusal;

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var handle = new BackendHandle($"{{\"server\":\"{request.ResourceName}\"}}");
        await context.ReportAsync(new ProgressEvent(50, "Backend working"), cancellationToken);
        await context.SaveHandleAsync(handle, cancellationToken);
        StartEntered.TrySetResult();
        if (StartGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        if (StartFailure is { } failure)
        {
            throw failure;
        }
        return new BackendStartResult(handle, $"http://127.0.0.1:1/{request.ResourceName}");
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) => Task.FromResult(Status(handle));

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        Stopped.Enqueue(handle.Data);
        return StopFailure is { } failure ? Task.FromException(failure) : Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) => Task.FromResult(Logs);
}
