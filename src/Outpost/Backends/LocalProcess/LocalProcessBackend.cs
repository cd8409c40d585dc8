namespace Outpost.Backends.LocalProcess;

/// <summary>Runs each server as a child process of the Outpost's host (placeholder until implemented).</summary>
public sealed class LocalProcessBackend : IBackend
{
    public string Name => BackendNames.Local;

    public Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
