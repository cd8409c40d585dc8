using Outpost.Backends.Batch;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Options of the Grid Engine backend, bound to <c>Outpost:Backends:GridEngine</c>: the ones every batch backend has
/// (<see cref="BatchBackendOptions"/>) and Grid Engine's own. The backend is registered only when that section exists.
/// </summary>
public sealed class GridEngineBackendOptions : BatchBackendOptions
{
    /// <summary>The configuration section's name below <c>Outpost:Backends</c>, and the backend's name.</summary>
    public const string SectionName = "GridEngine";

    /// <summary>
    /// The batch script template; see <see cref="BatchBackendOptions.ScriptTemplate"/>. Its directive placeholder is
    /// <c>{{qsub}}</c> (the generated <c>#$</c> lines). Default <see cref="GridEngineScript.DefaultTemplate"/>.
    /// </summary>
    public GridEngineBackendOptions() => ScriptTemplate = GridEngineScript.DefaultTemplate;

    /// <summary>Path or name of <c>qsub</c>. Default "qsub" (looked up on PATH).</summary>
    public string Qsub { get; set; } = "qsub";

    /// <summary>Path or name of <c>qstat</c>. Default "qstat".</summary>
    public string Qstat { get; set; } = "qstat";

    /// <summary>Path or name of <c>qacct</c>. Default "qacct". Used when qstat cannot answer or no longer knows a job.</summary>
    public string Qacct { get; set; } = "qacct";

    /// <summary>Path or name of <c>qdel</c>. Default "qdel".</summary>
    public string Qdel { get; set; } = "qdel";

    /// <summary>Path or name of <c>qhost</c>. Default "qhost". Only <c>outpost check</c> runs it, to see that the cluster answers.</summary>
    public string Qhost { get; set; } = "qhost";

    /// <summary>
    /// Extra <c>#$</c> options written into every script as they are, e.g. <c>["-P project1"]</c>. Each item is one
    /// option line without the <c>#$</c> prefix. Default none.
    /// </summary>
    public string[] ExtraQsubOptions { get; set; } = [];

    /// <summary>Resources every job gets unless a flavor, the hub or the user chooses otherwise. Default none (Grid Engine's defaults).</summary>
    public GridEngineResources Defaults { get; set; } = new();

    /// <summary>Resources per flavor name, laid over <see cref="Defaults"/> field by field. Default none.</summary>
    public Dictionary<string, GridEngineResources> Flavors { get; set; } = [];

    /// <summary>Which values hubs (<c>misc</c>) and users (<c>user_options</c>) may choose. Default: nothing may be chosen.</summary>
    public GridEngineAllowed Allowed { get; set; } = new();

    /// <summary>Per hub name: rules and defaults that replace <see cref="Allowed"/> and <see cref="Defaults"/> for that hub. Default none.</summary>
    public Dictionary<string, GridEngineHubOptions> Hubs { get; set; } = [];
}
