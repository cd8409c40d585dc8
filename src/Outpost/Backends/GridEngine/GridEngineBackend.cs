using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;
using Outpost.Processes;
using Outpost.Servers;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Runs each server as a Grid Engine job (Son of Grid Engine and its relatives): the shared batch-job life
/// (<see cref="BatchBackend{TResources}"/>) with Grid Engine's commands (<see cref="GridEngineScheduler"/>), its
/// resources (<see cref="GridEngineResourceResolver"/>) and its <c>#$</c> lines (<see cref="GridEngineScript"/>).
/// </summary>
public sealed partial class GridEngineBackend : BatchBackend<GridEngineJobResources>
{
    /// <summary>Name of the HTTP client used to see whether a server answers.</summary>
    public const string HttpClientName = "Outpost.Backends.GridEngine";

    private readonly GridEngineBackendOptions _options;
    private readonly GridEngineCli _cli;

    public GridEngineBackend(
        IOptions<GridEngineBackendOptions> options,
        ICommandRunner runner,
        IHttpClientFactory httpClients,
        TimeProvider time,
        ILogger<GridEngineBackend> logger)
        : this(options.Value, new GridEngineCli(options.Value), runner, httpClients, time, logger)
    {
    }

    private GridEngineBackend(GridEngineBackendOptions options, GridEngineCli cli, ICommandRunner runner, IHttpClientFactory httpClients, TimeProvider time, ILogger logger)
        : base(new BatchJobRunner(new GridEngineScheduler(cli), options, runner, httpClients, HttpClientName, time, logger))
    {
        _options = options;
        _cli = cli;
    }

    public override string Name => GridEngineBackendOptions.SectionName;

    private protected override GridEngineJobResources ResolveResources(string hub, ServerSpec spec) => GridEngineResourceResolver.Resolve(_options, hub, spec);

    private protected override string RenderScript(JobScriptInput common, GridEngineJobResources resources) =>
        GridEngineScript.Render(new GridEngineScriptInput { Common = common, Resources = resources, ExtraOptions = _options.ExtraQsubOptions });
}
