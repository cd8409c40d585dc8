using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration as read at start-up, with the problems found in it. Not bound options: flavors are read
/// by <see cref="FlavorConfigReader"/>; it goes through the options system only so that start-up validation
/// (<see cref="StartupFlavorConfigValidator"/>) stops the Outpost on a bad configuration, listing every error.
/// </summary>
public sealed class StartupFlavorConfig
{
    public FlavorConfig Config { get; set; } = FlavorConfig.Empty;

    public IReadOnlyList<string> Errors { get; set; } = [];
}
