using System.Collections.Concurrent;
using Outpost.Backends;
using Outpost.Events;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>An <see cref="IStartContext"/> that keeps every progress event and the last saved handle.</summary>
internal sealed class RecordingStartContext : IStartContext
{
    public ConcurrentQueue<ProgressEvent> Events { get; } = new();

    public BackendHandle? Handle { get; private set; }

    public int HandleSaves { get; private set; }

    public ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(progressEvent);
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        Handle = handle;
        HandleSaves++;
        return ValueTask.CompletedTask;
    }
}
