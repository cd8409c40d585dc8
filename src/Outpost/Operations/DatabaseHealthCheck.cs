using Microsoft.Extensions.Diagnostics.HealthChecks;
using Outpost.Storage;

namespace Outpost.Operations;

/// <summary>Ready only while the database answers a trivial query; <c>/health</c> answers 503 otherwise.</summary>
public sealed class DatabaseHealthCheck(IDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{database.Provider} at {database.Location}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The message, not the exception: the answer is anonymous and must not carry a stack trace.
            return HealthCheckResult.Unhealthy($"{database.Provider} at {database.Location} does not answer: {ex.Message}");
        }
    }
}
