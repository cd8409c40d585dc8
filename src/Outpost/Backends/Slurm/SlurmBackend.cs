using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;
using Outpost.Hosting;
using Outpost.Servers;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Runs each server as a Slurm batch job: the shared batch-job life (<see cref="BatchJobRunner"/>) with Slurm's
/// commands (<see cref="SlurmScheduler"/>), its resources (<see cref="SlurmResourceResolver"/>) and its
/// <c>#SBATCH</c> lines (<see cref="BatchScript"/>).
/// </summary>
public sealed partial class SlurmBackend : IBackend
{
    /// <summary>Name of the HTTP client used to see whether a server answers.</summary>
    public const string HttpClientName = "Outpost.Backends.Slurm";

    private readonly SlurmBackendOptions _options;
    private readonly SlurmCli _cli;
    private readonly BatchJobRunner _jobs;

    public SlurmBackend(
        IOptions<SlurmBackendOptions> options,
        ICommandRunner runner,
        IHttpClientFactory httpClients,
        TimeProvider time,
        ILogger<SlurmBackend> logger)
    {
        _options = options.Value;
        _cli = new SlurmCli(_options);
        _jobs = new BatchJobRunner(new SlurmScheduler(_cli), _options, runner, httpClients, HttpClientName, time, logger);
    }

    public string Name => BackendNames.Slurm;

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            CheckRequest(key, spec);
            return null;
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var (user, resources) = CheckRequest(request.Key, request.Spec);
        return _jobs.StartAsync(request, user, context, common => BatchScript.Render(new BatchScriptInput
        {
            Template = common.Template,
            JobName = common.JobName,
            JobDirectory = common.JobDirectory,
            OutputFile = common.OutputFile,
            ExportNames = common.ExportNames,
            Resources = resources,
            ExtraOptions = _options.ExtraSbatchOptions,
            Command = common.Command,
            Prologue = common.Prologue,
            Epilogue = common.Epilogue,
            DelayedTunnel = common.DelayedTunnel,
            Python = common.Python,
            InternalSsl = common.InternalSsl,
        }), cancellationToken);
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        _jobs.GetStatusAsync(handle, cancellationToken);

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        _jobs.StopAsync(handle, cancellationToken);

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        _jobs.GetLogsAsync(handle, maxLines, cancellationToken);

    /// <summary>The system user and resources of a request; throws what a start would refuse.</summary>
    private (string User, SlurmJobResources Resources) CheckRequest(ServerKey key, ServerSpec spec)
    {
        var user = _jobs.CheckRequest(key, spec);
        return (user, SlurmResourceResolver.Resolve(_options, key.Hub, spec));
    }
}
