using Outpost.Backends;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// The "poll a server" use case: the stored phase answers while a server starts, stops or has ended; a running
/// server's backend is asked, and an exit it reports is persisted (Running → Stopped) before it is answered.
/// </summary>
public sealed partial class PollServer(
    IServerStore store,
    ServerSpecCodec codec,
    BackendCatalog backends,
    ServerLogs logs,
    AuthStateCache authStates,
    OutpostMetrics metrics,
    ILogger<PollServer> logger)
{
    /// <summary>The server's state; <paramref name="authState"/>, sent with the poll, refreshes a known server's.</summary>
    public async Task<PollServerResult> RunAsync(ServerKey key, bool collectLogs, IReadOnlyDictionary<string, string> authState, CancellationToken cancellationToken)
    {
        try
        {
            var state = await store.FindPollStateAsync(key, cancellationToken);
            if (state is null)
            {
                return new PollServerResult.NotFound();
            }
            int? status = state.Phase switch
            {
                ServerPhase.Pending or ServerPhase.Starting or ServerPhase.Stopping => null,
                ServerPhase.Stopped => state.ExitCode ?? 0,
                ServerPhase.Failed => state.ExitCode ?? 1,
                _ => await ObserveRunningAsync(key, state, cancellationToken),
            };
            var lines = collectLogs ? await logs.CollectAsync(key, state.Backend, state.Handle, cancellationToken) : [];
            if (state.Phase == ServerPhase.Failed && state.Error is { } error)
            {
                lines = [.. lines, error];
            }
            authStates.Update(key, authState); // only for servers that exist
            return new PollServerResult.Polled(status, lines);
        }
        catch (BackendException ex)
        {
            return new PollServerResult.Refused(Refusal.From(ex));
        }
    }

    private async Task<int?> ObserveRunningAsync(ServerKey key, ServerPollState state, CancellationToken cancellationToken)
    {
        if (state.Handle is not { } handle || !backends.TryGet(state.Backend, out var backend))
        {
            return null;
        }
        BackendStatus status;
        try
        {
            status = await backend.GetStatusAsync(handle, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.Status);
            throw;
        }
        if (status.State == BackendState.Unknown)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.StatusUnknown);
        }
        if (status.Handle is { } changed)
        {
            await store.SaveHandleAsync(state.Id, changed, cancellationToken);
        }
        if (status.State != BackendState.Exited)
        {
            return null;
        }
        var message = status.Message;
        if (message is not null && await store.FindByIdAsync(state.Id, cancellationToken) is { } record)
        {
            // Rare (once per exit), so the spec is decrypted only here: a backend's message may quote the output.
            message = SecretRedactor.Redact(message, codec.Unprotect(record.ProtectedSpec).Env);
        }
        var changes = new ServerChanges { ExitCode = status.ExitCode, Error = message };
        if (await store.TransitionAsync(state.Id, ServerPhase.Running, ServerPhase.Stopped, changes, cancellationToken))
        {
            Log.Exited(logger, key.ToString(), status.ExitCode);
        }
        return status.ExitCode;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerExited, Level = LogLevel.Information, Message = "{Server} exited with code {ExitCode}")]
        public static partial void Exited(ILogger logger, string server, int exitCode);
    }
}
