using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Options of the Slurm backend, bound to <c>Outpost:Backends:Slurm</c>: the ones every batch backend has
/// (<see cref="BatchBackendOptions"/>) and Slurm's own. The backend is registered only when that section exists.
/// Paths and texts here are trusted (they come from the administrator); values from hubs and users are checked
/// against <see cref="Allowed"/> before they reach a job.
/// </summary>
public sealed class SlurmBackendOptions : BatchBackendOptions
{
    /// <summary>Path or name of <c>sbatch</c>. Default "sbatch" (looked up on PATH).</summary>
    public string Sbatch { get; set; } = "sbatch";

    /// <summary>Path or name of <c>squeue</c>. Default "squeue". Point it at a wrapper to simulate outages in tests.</summary>
    public string Squeue { get; set; } = "squeue";

    /// <summary>Path or name of <c>sacct</c>. Default "sacct". Used when squeue cannot answer or no longer knows a job.</summary>
    public string Sacct { get; set; } = "sacct";

    /// <summary>Path or name of <c>sinfo</c>. Default "sinfo". Only <c>outpost check</c> runs it, to see that the cluster answers.</summary>
    public string Sinfo { get; set; } = "sinfo";

    /// <summary>Path or name of <c>scancel</c>. Default "scancel".</summary>
    public string Scancel { get; set; } = "scancel";

    /// <summary>
    /// The batch script template; see <see cref="BatchBackendOptions.ScriptTemplate"/>. Its directive placeholder is
    /// <c>{{sbatch}}</c> (the generated <c>#SBATCH</c> lines). Default <see cref="BatchScript.DefaultTemplate"/>.
    /// </summary>
    public SlurmBackendOptions() => ScriptTemplate = BatchScript.DefaultTemplate;

    /// <summary>
    /// Extra <c>#SBATCH</c> options written into every script as they are, e.g. <c>["--get-user-env=L"]</c>.
    /// Each item is one option without the <c>#SBATCH</c> prefix. Default none.
    /// </summary>
    public string[] ExtraSbatchOptions { get; set; } = [];

    /// <summary>Resources every job gets unless a flavor, the hub or the user chooses otherwise. Default none (Slurm's defaults).</summary>
    public SlurmResources Defaults { get; set; } = new();

    /// <summary>Resources per flavor name, laid over <see cref="Defaults"/> field by field. Default none.</summary>
    public Dictionary<string, SlurmResources> Flavors { get; set; } = [];

    /// <summary>
    /// Which values hubs (<c>misc</c>) and users (<c>user_options</c>) may choose. A field without a rule may not be
    /// chosen at all. Default: nothing may be chosen.
    /// </summary>
    public SlurmAllowed Allowed { get; set; } = new();

    /// <summary>Per hub name: rules and defaults that replace <see cref="Allowed"/> and <see cref="Defaults"/> for that hub. Default none.</summary>
    public Dictionary<string, SlurmHubOptions> Hubs { get; set; } = [];
}
