using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Hosting;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>A server's last log lines from its backend, with the server's secret values redacted.</summary>
public sealed class ServerLogs(IServerStore store, ServerSpecCodec codec, BackendCatalog backends, OutpostMetrics metrics, IOptions<OutpostOptions> options)
{
    /// <summary>The logs of the stored server <paramref name="key"/>, whose environment is read to keep its secrets out.</summary>
    public async Task<IReadOnlyList<string>> CollectAsync(ServerKey key, string backendName, BackendHandle? handle, CancellationToken cancellationToken) =>
        await CollectAsync(backendName, handle, await SecretEnvAsync(key, cancellationToken), cancellationToken);

    /// <summary>The logs of a server whose environment (<paramref name="env"/>) is known; a backend's failure becomes one line.</summary>
    public async Task<IReadOnlyList<string>> CollectAsync(
        string backendName, BackendHandle? handle, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        if (handle is null || !backends.TryGet(backendName, out var backend))
        {
            return [];
        }
        try
        {
            var lines = await backend.GetLogsAsync(handle, options.Value.LogLines, cancellationToken);
            return [.. lines.Select(line => SecretRedactor.Redact(line, env))];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.Logs);
            return [$"Logs are not available: {ex.Message}"];
        }
    }

    /// <summary>The server's environment, whose secret values are kept out of the logs it returns.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SecretEnvAsync(ServerKey key, CancellationToken cancellationToken) =>
        await store.FindAsync(key, cancellationToken) is { } record ? codec.Unprotect(record.ProtectedSpec).Env : new Dictionary<string, string>();
}
