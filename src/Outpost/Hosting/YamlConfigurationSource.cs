using YamlDotNet.RepresentationModel;

namespace Outpost.Hosting;

/// <summary>Reads a YAML file into configuration keys (<c>Outpost:Hubs:hub1:Password</c>), like the JSON provider does.</summary>
public sealed class YamlConfigurationSource : FileConfigurationSource
{
    public YamlConfigurationSource(string path)
    {
        Path = path;
        Optional = false;
    }

    /// <summary>A section path the file's keys are placed under (e.g. <c>Outpost:Flavors</c>); none by default.</summary>
    public string? KeyPrefix { get; init; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        // An absolute path gets a provider rooted at its folder, as AddJsonFile does.
        ResolveFileProvider();
        EnsureDefaults(builder);
        return new YamlConfigurationProvider(this);
    }
}

/// <summary>Flattens a YAML mapping; sequences become numbered keys, as in JSON configuration.</summary>
public sealed class YamlConfigurationProvider(FileConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(stream);
        yaml.Load(reader);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (yaml.Documents.Count > 0)
        {
            Flatten(yaml.Documents[0].RootNode, (Source as YamlConfigurationSource)?.KeyPrefix, data);
        }
        Data = data;
    }

    private static void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> data)
    {
        switch (node)
        {
            // An empty map or list keeps its key, so `flavors: []` means none. A list gets an empty value,
            // which the binder turns into an empty array (a null value would leave the default in place).
            case YamlMappingNode { Children.Count: 0 } when prefix is not null:
                data[prefix] = null;
                break;
            case YamlSequenceNode { Children.Count: 0 } when prefix is not null:
                data[prefix] = "";
                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    Flatten(value, Combine(prefix, ((YamlScalarNode)key).Value ?? ""), data);
                }
                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], Combine(prefix, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                }
                break;
            case YamlScalarNode scalar when prefix is not null:
                data[prefix] = scalar.Value;
                break;
        }
    }

    private static string Combine(string? prefix, string key) => prefix is null ? key : $"{prefix}{ConfigurationPath.KeyDelimiter}{key}";
}
