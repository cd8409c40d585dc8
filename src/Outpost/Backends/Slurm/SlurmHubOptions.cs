namespace Outpost.Backends.Slurm;

/// <summary>Slurm settings for one hub, under <c>Outpost:Backends:Slurm:Hubs:&lt;hub&gt;</c>.</summary>
public sealed class SlurmHubOptions
{
    /// <summary>Rules that replace the backend-wide <see cref="SlurmBackendOptions.Allowed"/> for this hub. Default none (the backend-wide rules apply).</summary>
    public SlurmAllowed? Allowed { get; set; }

    /// <summary>Resources that replace the backend-wide <see cref="SlurmBackendOptions.Defaults"/> for this hub. Default none.</summary>
    public SlurmResources? Defaults { get; set; }
}
