namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration read at start-up, the first <see cref="FlavorCatalog.Current"/>. Not bound options:
/// flavors are read by <see cref="FlavorConfigReader"/> (into a <see cref="ParsedFlavorConfig"/>); they go through
/// the options system only so that start-up validation (<see cref="StartupFlavorConfigValidator"/>) stops the Outpost
/// when that read found errors, listing every one.
/// </summary>
public sealed class StartupFlavorConfig
{
    public FlavorConfig Config { get; set; } = FlavorConfig.Empty;
}
