using System.Collections.Concurrent;
using Outpost.Backends;
using Outpost.Events;

namespace Outpost.IntegrationTests.Backends.Shared;

/// <summary>Keeps the events and handles of a start, and lets a test react to an event as it arrives.</summary>
internal sealed class RecordingStartContext(Func<ProgressEvent, Task>? onEvent = null) : IStartContext
{
    public ConcurrentQueue<ProgressEvent> Events { get; } = new();

    public ConcurrentQueue<BackendHandle> Handles { get; } = new();

    public IEnumerable<string> Messages => Events.Select(e => e.Message);

    public async ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(progressEvent);
        if (onEvent is not null)
        {
            await onEvent(progressEvent);
        }
    }

    public ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        Handles.Enqueue(handle);
        return ValueTask.CompletedTask;
    }
}
