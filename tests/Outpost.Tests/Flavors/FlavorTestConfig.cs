using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Outpost.Flavors;
using Outpost.Hosting;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Flavors;

/// <summary>Builds flavor configurations for tests, the way the Outpost reads them: from configuration keys.</summary>
internal static class FlavorTestConfig
{
    /// <summary>
    /// The original's standard flavors <c>typea</c> and <c>typeb</c>, as keys under <c>Outpost:Flavors</c>
    /// (without that prefix).
    /// </summary>
    public static Dictionary<string, string?> StandardFlavors() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Flavors:typea:max"] = "5",
        ["Flavors:typea:weight"] = "10",
        ["Flavors:typea:display_name"] = "2GB RAM, 1VCPU, 2 hours",
        ["Flavors:typea:description"] = "JupyterLab will run for max 2 hours with 2GB RAM and 1VCPU.",
        ["Flavors:typea:runtime:hours"] = "2",
        ["Flavors:typeb:max"] = "5",
        ["Flavors:typeb:weight"] = "9",
        ["Flavors:typeb:display_name"] = "4GB RAM, 1VCPU, 2 hours",
        ["Flavors:typeb:description"] = "JupyterLab will run for max 2 hours with 4GB RAM and 1VCPU.",
        ["Flavors:typeb:runtime:hours"] = "2",
    };

    /// <summary>
    /// The user-flavor fixture: standard flavors, hub set <c>default</c> (pattern <c>authentica.*d</c>,
    /// typea and typeb) and <c>restrictedGroup</c> (list [authenticated2], no flavors).
    /// </summary>
    public static Dictionary<string, string?> UserFlavorsFixture()
    {
        var keys = StandardFlavors();
        keys["Hubs:default:jupyterhub_name"] = "authentica.*d";
        keys["Hubs:default:flavors:0"] = "typea";
        keys["Hubs:default:flavors:1"] = "typeb";
        keys["Hubs:restrictedGroup:jupyterhub_name:0"] = "authenticated2";
        keys["Hubs:restrictedGroup:flavors"] = ""; // an empty list: the key without children
        return keys;
    }

    /// <summary>The <c>Outpost:Flavors</c> section of an in-memory configuration with these keys (relative to it).</summary>
    public static IConfigurationSection Section(IReadOnlyDictionary<string, string?> keys) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(p => new KeyValuePair<string, string?>($"{FlavorConfigReader.SectionPath}:{p.Key}", p.Value)))
            .Build()
            .GetSection(FlavorConfigReader.SectionPath);

    /// <summary>Reads the keys and asserts they are a valid configuration.</summary>
    public static FlavorConfig Read(IReadOnlyDictionary<string, string?> keys)
    {
        var (config, errors) = FlavorConfigReader.Read(Section(keys));
        Assert.Empty(errors);
        return config;
    }

    /// <summary>The errors of reading these keys.</summary>
    public static IReadOnlyList<string> Errors(IReadOnlyDictionary<string, string?> keys) => FlavorConfigReader.Read(Section(keys)).Errors;

    /// <summary>The <c>Outpost:Flavors</c> section of a YAML file written to <paramref name="temp"/>.</summary>
    public static IConfigurationSection YamlSection(TempDirectory temp, string yaml)
    {
        var path = temp.File("outpost.yaml");
        File.WriteAllText(path, yaml);
        var source = new YamlConfigurationSource(path);
        source.ResolveFileProvider();
        return new ConfigurationBuilder().Add(source).Build().GetSection(FlavorConfigReader.SectionPath);
    }

    /// <summary>A hub's <c>authentication</c> JSON.</summary>
    public static JsonElement Auth(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The flavor names, in order.</summary>
    public static string[] Names(IReadOnlyList<KeyValuePair<string, System.Text.Json.Nodes.JsonObject>>? flavors) =>
        [.. (flavors ?? []).Select(f => f.Key)];
}
