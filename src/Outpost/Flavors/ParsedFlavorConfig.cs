namespace Outpost.Flavors;

/// <summary>What <see cref="FlavorConfigReader.Read"/> made of <c>Outpost:Flavors</c>: the configuration, and every error found in it.</summary>
public sealed record ParsedFlavorConfig(FlavorConfig Config, IReadOnlyList<string> Errors);
