using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;
using Outpost.Processes;
using Outpost.Servers;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Runs each server as a Slurm batch job: the shared batch-job life (<see cref="BatchBackend{TResources}"/>) with
/// Slurm's commands (<see cref="SlurmScheduler"/>), its resources (<see cref="SlurmResourceResolver"/>) and its
/// <c>#SBATCH</c> lines (<see cref="SlurmScript"/>).
/// </summary>
public sealed partial class SlurmBackend : BatchBackend<SlurmJobResources>
{
    /// <summary>Name of the HTTP client used to see whether a server answers.</summary>
    public const string HttpClientName = "Outpost.Backends.Slurm";

    private readonly SlurmBackendOptions _options;
    private readonly SlurmCli _cli;

    public SlurmBackend(
        IOptions<SlurmBackendOptions> options,
        ICommandRunner runner,
        IHttpClientFactory httpClients,
        TimeProvider time,
        ILogger<SlurmBackend> logger)
        : this(options.Value, new SlurmCli(options.Value), runner, httpClients, time, logger)
    {
    }

    private SlurmBackend(SlurmBackendOptions options, SlurmCli cli, ICommandRunner runner, IHttpClientFactory httpClients, TimeProvider time, ILogger logger)
        : base(new BatchJobRunner(new SlurmScheduler(cli), options, runner, httpClients, HttpClientName, time, logger))
    {
        _options = options;
        _cli = cli;
    }

    public override string Name => BackendNames.Slurm;

    private protected override SlurmJobResources ResolveResources(string hub, ServerSpec spec) => SlurmResourceResolver.Resolve(_options, hub, spec);

    private protected override string RenderScript(JobScriptInput common, SlurmJobResources resources) =>
        SlurmScript.Render(new SlurmScriptInput { Common = common, Resources = resources, ExtraOptions = _options.ExtraSbatchOptions });
}
