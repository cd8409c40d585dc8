namespace Outpost.Backends.GridEngine;

/// <summary>Grid Engine settings for one hub, under <c>Outpost:Backends:GridEngine:Hubs:&lt;hub&gt;</c>.</summary>
public sealed class GridEngineHubOptions
{
    /// <summary>Rules that replace the backend-wide <see cref="GridEngineBackendOptions.Allowed"/> for this hub. Default none.</summary>
    public GridEngineAllowed? Allowed { get; set; }

    /// <summary>Resources that replace the backend-wide <see cref="GridEngineBackendOptions.Defaults"/> for this hub. Default none.</summary>
    public GridEngineResources? Defaults { get; set; }
}
