using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Slurm;

/// <summary>What the Outpost keeps about a job, so that it can poll, stop and read it after a restart.</summary>
/// <param name="JobId">Slurm's job id.</param>
/// <param name="User">The system user the job runs as (for the exec prefix).</param>
/// <param name="Port">The server's port.</param>
/// <param name="OutputFile">The job's output file, with <c>%j</c> already replaced.</param>
/// <param name="Host">The host the hub reaches the server at; empty until the job runs.</param>
public sealed record SlurmJobHandle(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("output")] string OutputFile,
    [property: JsonPropertyName("host")] string Host = "")
{
    public BackendHandle ToHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.SlurmJobHandle));

    public static SlurmJobHandle From(BackendHandle handle)
    {
        SlurmJobHandle? job = null;
        try
        {
            job = JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.SlurmJobHandle);
        }
        catch (JsonException)
        {
        }
        return job is not null && SlurmValues.IsJobId(job.JobId)
            ? job
            : throw new BackendException("The stored Slurm job handle of this server cannot be read.");
    }
}
