using System.Text.Json;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.Slurm;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Slurm;

public sealed class SlurmResourceResolverTests
{
    private static SlurmBackendOptions Options() => new()
    {
        Defaults = new SlurmResources { Partition = "batch", Time = "1:00:00", Memory = "2G" },
        Flavors = { ["large"] = new SlurmResources { Cpus = 8, Memory = "32G" } },
        Allowed = new SlurmAllowed
        {
            Partition = new BatchTextRule { Values = ["batch", "gpu"] },
            Account = new BatchTextRule { Pattern = "proj[0-9]+" },
            Cpus = new BatchRangeRule { Min = 1, Max = 16 },
            MemoryMb = new BatchRangeRule { Min = 512, Max = 65536 },
            TimeMinutes = new BatchRangeRule { Min = 10, Max = 480 },
        },
        Hubs = { ["teaching"] = new SlurmHubOptions { Allowed = new SlurmAllowed { Partition = new BatchTextRule { Values = ["course"] } } } },
    };

    private static ServerSpec Spec(string userOptionsJson = "{}", string miscJson = "{}", string? flavor = null, TimeSpan? runtime = null) => new()
    {
        Name = "",
        StartId = "1",
        Env = new Dictionary<string, string>(),
        UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptionsJson)!,
        Misc = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(miscJson)!,
        Flavor = flavor,
        RuntimeLimit = runtime,
    };

    [Fact]
    public void Resolve_NothingChosen_UsesDefaults() =>
        Assert.Equal(
            new SlurmJobResources { Partition = "batch", TimeMinutes = 60, MemoryMb = 2048 },
            SlurmResourceResolver.Resolve(Options(), "hub1", Spec()));

    [Fact]
    public void Resolve_FlavorThenUserThenMisc_LaterLayersWin()
    {
        var resources = SlurmResourceResolver.Resolve(Options(), "hub1", Spec(
            userOptionsJson: """{"partition": "gpu", "cpus": "4", "account": "proj7", "time": "2:30:00", "profile": "ignored"}""",
            miscJson: """{"cpus": 2}""",
            flavor: "large"));

        Assert.Equal(new SlurmJobResources { Partition = "gpu", Account = "proj7", Cpus = 2, MemoryMb = 32768, TimeMinutes = 150 }, resources);
    }

    [Fact]
    public void Resolve_FlavorRuntime_CapsTheTimeLimit()
    {
        Assert.Equal(45, SlurmResourceResolver.Resolve(Options(), "hub1", Spec(runtime: TimeSpan.FromMinutes(45))).TimeMinutes);
        Assert.Equal(60, SlurmResourceResolver.Resolve(Options(), "hub1", Spec(runtime: TimeSpan.FromHours(4))).TimeMinutes);
    }

    [Fact]
    public void Resolve_HubRules_ReplaceTheBackendWideOnes()
    {
        Assert.Equal("course", SlurmResourceResolver.Resolve(Options(), "teaching", Spec("""{"partition": "course"}""")).Partition);
        var e = Assert.Throws<BackendException>(() => SlurmResourceResolver.Resolve(Options(), "teaching", Spec("""{"partition": "gpu"}""")));
        Assert.Equal("user_options.partition 'gpu' is not allowed on this Outpost. Allowed: course.", e.Message);
    }

    [Theory]
    [InlineData("""{"partition": "debug\n#SBATCH --uid=0"}""", "user_options.partition is refused: it may only contain")]
    [InlineData("""{"partition": "gpu --uid=0"}""", "user_options.partition is refused")]
    [InlineData("""{"partition": "scavenger"}""", "user_options.partition 'scavenger' is not allowed")]
    [InlineData("""{"partition": ["gpu"]}""", "user_options.partition must be a text")]
    [InlineData("""{"account": "proj1;id"}""", "user_options.account is refused")]
    [InlineData("""{"account": "other"}""", "user_options.account 'other' is not allowed")]
    [InlineData("""{"qos": "high"}""", "user_options.qos may not be chosen on this Outpost")]
    [InlineData("""{"reservation": "$(reboot)"}""", "user_options.reservation is refused")]
    [InlineData("""{"constraint": "`id`"}""", "user_options.constraint is refused")]
    [InlineData("""{"gres": "gpu:1'"}""", "user_options.gres is refused")]
    [InlineData("""{"gpus": 1}""", "user_options.gpus may not be chosen")]
    [InlineData("""{"nodes": 2}""", "user_options.nodes may not be chosen")]
    [InlineData("""{"cpus": 64}""", "user_options.cpus 64 is outside the allowed range 1–16")]
    [InlineData("""{"cpus": "4; rm -rf /"}""", "user_options.cpus is refused: it must be a whole number")]
    [InlineData("""{"cpus": 2.5}""", "user_options.cpus is refused")]
    [InlineData("""{"cpus": -1}""", "user_options.cpus -1 is outside the allowed range")]
    [InlineData("""{"memory": "4G$(id)"}""", "user_options.memory is refused")]
    [InlineData("""{"memory": "1T"}""", "user_options.memory 1048576 is outside the allowed range")]
    [InlineData("""{"time": "1:00:00 --uid=0"}""", "user_options.time is refused")]
    [InlineData("""{"time": "9-00:00:00"}""", "user_options.time 12960 is outside the allowed range")]
    public void Resolve_BadUserOption_RefusedNamingTheField(string userOptions, string message)
    {
        var e = Assert.Throws<BackendException>(() => SlurmResourceResolver.Resolve(Options(), "hub1", Spec(userOptions)));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Resolve_BadMisc_RefusedNamingMisc()
    {
        var e = Assert.Throws<BackendException>(() => SlurmResourceResolver.Resolve(Options(), "hub1", Spec(miscJson: """{"partition": "x y"}""")));
        Assert.StartsWith("misc.partition is refused", e.Message);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("30:30", 31)]
    [InlineData("1:00:00", 60)]
    [InlineData("2-00", 2880)]
    [InlineData("1-02:03", 1563)]
    [InlineData("1-00:00:01", 1441)]
    public void TryParseTimeMinutes_SlurmFormats(string text, long minutes)
    {
        Assert.True(SlurmValues.TryParseTimeMinutes(text, out var parsed));
        Assert.Equal(minutes, parsed);
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("512M", 512)]
    [InlineData("4G", 4096)]
    [InlineData("4g", 4096)]
    [InlineData("1T", 1048576)]
    [InlineData("1536K", 2)]
    public void TryParseMemoryMb_SlurmFormats(string text, long megabytes)
    {
        Assert.True(SlurmValues.TryParseMemoryMb(text, out var parsed));
        Assert.Equal(megabytes, parsed);
    }

    [Theory]
    [InlineData("4 G")]
    [InlineData("G")]
    [InlineData("-1")]
    [InlineData("0")]
    public void TryParseMemoryMb_Garbage_Fails(string text) => Assert.False(SlurmValues.TryParseMemoryMb(text, out _));
}
