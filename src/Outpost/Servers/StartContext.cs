using Outpost.Backends;
using Outpost.Events;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>What a backend may do while its start runs: report progress and persist its handle as soon as it has one.</summary>
internal sealed class StartContext(IServerStore store, ServerEvents events, StartRun run) : IStartContext
{
    public BackendHandle? Handle { get; private set; }

    public async ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken) =>
        run.Progress(await events.RecordAsync(run.Record.Key, run.Spec, progressEvent with { Failed = false }, cancellationToken));

    public async ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        Handle = handle;
        await store.SaveHandleAsync(run.Record.Id, handle, CancellationToken.None);
    }
}
