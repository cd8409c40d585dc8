using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Batch;

/// <summary>
/// What the Outpost keeps about a batch job, so that it can poll, stop and read it after a restart. The stored
/// form is the one the Slurm backend has always written, so existing Slurm handles keep working.
/// </summary>
/// <param name="JobId">The scheduler's job id.</param>
/// <param name="User">The system user the job runs as (for the exec prefix).</param>
/// <param name="Port">The server's port.</param>
/// <param name="OutputFile">The job's output file, with the job id already filled in.</param>
/// <param name="Host">The host the hub reaches the server at; empty until the job runs.</param>
public sealed record BatchJobHandle(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("output")] string OutputFile,
    [property: JsonPropertyName("host")] string Host = "")
{
    public BackendHandle ToHandle() => new(JsonSerializer.Serialize(this, BatchJsonContext.Default.BatchJobHandle));

    /// <summary>Reads a stored handle; a job id that is not a plain number is refused. <paramref name="scheduler"/> names the scheduler in the error.</summary>
    public static BatchJobHandle From(BackendHandle handle, string scheduler = "batch")
    {
        BatchJobHandle? job = null;
        try
        {
            job = JsonSerializer.Deserialize(handle.Data, BatchJsonContext.Default.BatchJobHandle);
        }
        catch (JsonException)
        {
        }
        return job is not null && BatchValues.IsJobId(job.JobId)
            ? job
            : throw new BackendException($"The stored {scheduler} job handle of this server cannot be read.");
    }
}
