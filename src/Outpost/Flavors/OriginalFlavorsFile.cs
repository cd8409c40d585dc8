using Outpost.Hosting;

namespace Outpost.Flavors;

/// <summary>
/// The original Outpost's flavors file (<c>OUTPOST_FLAVORS_PATH</c>), when the Outpost takes its flavors from it.
/// Its top-level keys <c>flavors</c>, <c>hubs</c> and <c>users</c> are ours under <c>Outpost:Flavors</c> (configuration
/// keys ignore case), so the file is read unchanged, below the configuration file.
/// </summary>
public sealed class OriginalFlavorsFile(string? path)
{
    public const string Variable = "OUTPOST_FLAVORS_PATH";

    public string? Path { get; } = path;

    /// <summary>A configuration source that places the file's keys under <c>Outpost:Flavors</c>.</summary>
    public static YamlConfigurationSource SourceFor(string path) => new(path) { KeyPrefix = FlavorConfigReader.SectionPath };

    /// <summary>An error found in the file, said in terms of the file: the variable, the path and the key in the file.</summary>
    public string Describe(string error)
    {
        var prefix = FlavorConfigReader.SectionPath + ":";
        if (error.StartsWith(prefix + "GlobalMaxPerUser", StringComparison.OrdinalIgnoreCase))
        {
            return error; // ours: the original keeps this in its outpost config, not in the flavors file
        }
        var inFile = error.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? error[prefix.Length..] : error;
        // The reader asks for "Flavors", "Hubs", "Users"; the file spells its top-level keys in lower case.
        var section = inFile.IndexOf(':', StringComparison.Ordinal);
        if (section > 0 && inFile[..section] is "Flavors" or "Hubs" or "Users")
        {
            inFile = inFile[..section].ToLowerInvariant() + inFile[section..];
        }
        return $"{Variable} ({Path}): {inFile}";
    }
}
