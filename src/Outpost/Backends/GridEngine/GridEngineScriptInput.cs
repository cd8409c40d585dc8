using Outpost.Backends.Batch;

namespace Outpost.Backends.GridEngine;

/// <summary>What <see cref="GridEngineScript"/> needs: the common parts, the resources and the administrator's extra options.</summary>
public sealed record GridEngineScriptInput
{
    public required JobScriptInput Common { get; init; }

    public GridEngineJobResources Resources { get; init; } = new();

    /// <summary>Administrator's extra options, one per line, without <c>#$</c>.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}
