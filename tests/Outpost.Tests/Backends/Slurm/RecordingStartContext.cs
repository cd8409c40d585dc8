using Outpost.Backends;
using Outpost.Events;

namespace Outpost.Tests.Backends.Slurm;

/// <summary>Keeps the events and handles a start reports.</summary>
internal sealed class RecordingStartContext : IStartContext
{
    public List<ProgressEvent> Events { get; } = [];

    public List<BackendHandle> Handles { get; } = [];

    public IEnumerable<string> Messages => Events.Select(e => e.Message);

    public ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken)
    {
        lock (Events)
        {
            Events.Add(progressEvent);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        lock (Handles)
        {
            Handles.Add(handle);
        }
        return ValueTask.CompletedTask;
    }
}
