using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;
using Outpost.Hosting;
using Outpost.Servers;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Runs each server as a Grid Engine job (Son of Grid Engine and its relatives): the shared batch-job life
/// (<see cref="BatchJobRunner"/>) with Grid Engine's commands (<see cref="GridEngineScheduler"/>), its resources
/// (<see cref="GridEngineResourceResolver"/>) and its <c>#$</c> lines (<see cref="GridEngineScript"/>).
/// </summary>
public sealed partial class GridEngineBackend : IBackend
{
    /// <summary>Name of the HTTP client used to see whether a server answers.</summary>
    public const string HttpClientName = "Outpost.Backends.GridEngine";

    private readonly GridEngineBackendOptions _options;
    private readonly GridEngineCli _cli;
    private readonly BatchJobRunner _jobs;

    public GridEngineBackend(
        IOptions<GridEngineBackendOptions> options,
        ICommandRunner runner,
        IHttpClientFactory httpClients,
        TimeProvider time,
        ILogger<GridEngineBackend> logger)
    {
        _options = options.Value;
        _cli = new GridEngineCli(_options);
        _jobs = new BatchJobRunner(new GridEngineScheduler(_cli), _options, runner, httpClients, HttpClientName, time, logger);
    }

    public string Name => GridEngineBackendOptions.SectionName;

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
        return _jobs.StartAsync(request, user, context, common => GridEngineScript.Render(new GridEngineScriptInput
        {
            Common = common,
            Resources = resources,
            ExtraOptions = _options.ExtraQsubOptions,
        }), cancellationToken);
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        _jobs.GetStatusAsync(handle, cancellationToken);

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        _jobs.StopAsync(handle, cancellationToken);

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        _jobs.GetLogsAsync(handle, maxLines, cancellationToken);

    /// <summary>The system user and resources of a request; throws what a start would refuse.</summary>
    private (string User, GridEngineJobResources Resources) CheckRequest(ServerKey key, ServerSpec spec)
    {
        var user = _jobs.CheckRequest(key, spec);
        return (user, GridEngineResourceResolver.Resolve(_options, key.Hub, spec));
    }
}
