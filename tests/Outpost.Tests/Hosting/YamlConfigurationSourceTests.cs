using Microsoft.Extensions.Configuration;
using Outpost.Hosting;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Hosting;

public sealed class YamlConfigurationSourceTests
{
    [Fact]
    public void Build_NestedMapsAndLists_GiveTheSameKeysAsJson()
    {
        using var temp = new TempDirectory();
        var yaml = Load(temp, "config.yaml", """
            Outpost:
              DataDir: /var/lib/outpost
              Hubs:
                hub1:
                  Password: "pw: with colon"
                  AllowedEnv:
                    - MY_VAR
                    - OTHER
              Backends:
                Local:
                  Command: [jupyterhub-singleuser, --debug]
                  StopGraceSeconds: 5
              Flavors:
                - Name: small
                  Cpu: 1
                - Name: big
                  Cpu: 4
            """);
        var json = Load(temp, "config.json", """
            {
              "Outpost": {
                "DataDir": "/var/lib/outpost",
                "Hubs": { "hub1": { "Password": "pw: with colon", "AllowedEnv": ["MY_VAR", "OTHER"] } },
                "Backends": { "Local": { "Command": ["jupyterhub-singleuser", "--debug"], "StopGraceSeconds": 5 } },
                "Flavors": [ { "Name": "small", "Cpu": 1 }, { "Name": "big", "Cpu": 4 } ]
              }
            }
            """);

        Assert.Equal(Flatten(json), Flatten(yaml));
        Assert.Equal("MY_VAR", yaml["Outpost:Hubs:hub1:AllowedEnv:0"]);
        Assert.Equal("--debug", yaml["Outpost:Backends:Local:Command:1"]);
        Assert.Equal("big", yaml["Outpost:Flavors:1:Name"]);
    }

    [Fact]
    public void Build_FileProviderResolvedBeforehand_ReadsTheFile()
    {
        // OutpostApp resolves the file provider of the source before adding it.
        using var temp = new TempDirectory();
        var path = temp.File("outpost.yml");
        File.WriteAllText(path, "Outpost:\n  DataDir: /data\n");
        var source = new YamlConfigurationSource(path);
        source.ResolveFileProvider();

        var configuration = new ConfigurationBuilder().Add(source).Build();

        Assert.Equal("/data", configuration["Outpost:DataDir"]);
    }

    [Fact]
    public void Build_Keys_AreCaseInsensitive()
    {
        using var temp = new TempDirectory();
        var yaml = Load(temp, "config.yaml", "Outpost:\n  DataDir: /data\n");

        Assert.Equal("/data", yaml["outpost:datadir"]);
    }

    [Fact]
    public void Build_EmptyFile_GivesNoKeys()
    {
        using var temp = new TempDirectory();
        var yaml = Load(temp, "config.yaml", "");

        Assert.Empty(Flatten(yaml));
    }

    [Fact]
    public void Build_MissingFile_Throws()
    {
        using var temp = new TempDirectory();

        Assert.Throws<FileNotFoundException>(() =>
            new ConfigurationBuilder().Add(new YamlConfigurationSource(temp.File("missing.yaml"))).Build());
    }

    [Fact]
    public void Build_BindsToOptions()
    {
        using var temp = new TempDirectory();
        var yaml = Load(temp, "config.yaml", "Outpost:\n  DataDir: /data\n  LogLines: 50\n");

        var options = yaml.GetSection("Outpost").Get<OutpostOptions>()!;

        Assert.Equal(("/data", 50), (options.DataDir, options.LogLines));
    }

    private static IConfigurationRoot Load(TempDirectory temp, string name, string text)
    {
        var path = temp.File(name);
        File.WriteAllText(path, text);
        var builder = new ConfigurationBuilder();
        return name.EndsWith(".json", StringComparison.Ordinal)
            ? builder.AddJsonFile(path).Build()
            : builder.Add(new YamlConfigurationSource(path)).Build();
    }

    private static List<KeyValuePair<string, string?>> Flatten(IConfiguration configuration) =>
        [.. configuration.AsEnumerable().Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)];
}
