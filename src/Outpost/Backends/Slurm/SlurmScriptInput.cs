using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>What <see cref="SlurmScript"/> needs: the common parts, the resources and the administrator's extra options.</summary>
public sealed record SlurmScriptInput
{
    /// <summary>The parts every batch script has; its output file may contain Slurm's <c>%j</c>.</summary>
    public required JobScriptInput Common { get; init; }

    /// <summary>The resources to ask for.</summary>
    public SlurmJobResources Resources { get; init; } = new();

    /// <summary>Administrator's extra options, one per line, without <c>#SBATCH</c>.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}
