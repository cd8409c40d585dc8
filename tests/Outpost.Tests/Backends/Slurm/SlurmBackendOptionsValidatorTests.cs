using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.Slurm;

namespace Outpost.Tests.Backends.Slurm;

public sealed class SlurmBackendOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(SlurmBackendOptions options) =>
        new SlurmBackendOptionsValidator().Validate(null, options);

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(new SlurmBackendOptions()).Succeeded);

    [Fact]
    public void Validate_ManyBadKeys_NamesEveryOne()
    {
        var options = new SlurmBackendOptions
        {
            Sbatch = " ",
            ExecPrefix = ["sudo", ""],
            Command = ["jupyterhub-singleuser", " "],
            JobEnvironment = { ["BAD-NAME"] = "x" },
            SystemUserPattern = "[",
            ScriptTemplate = "echo {{nope}}",
            ExtraSbatchOptions = ["partition=x"],
            JobDirectory = "relative",
            BindAddress = "::1",
            PortRangeStart = 70000,
            PortRangeEnd = 1000,
            PollIntervalSeconds = 0,
            QueryAttempts = 0,
            Defaults = new SlurmResources { Partition = "a b", Memory = "lots", Time = "forever" },
            Flavors = { ["big"] = new SlurmResources { Cpus = -2 } },
            Allowed = new SlurmAllowed
            {
                Account = new BatchTextRule { Values = ["ok", "not ok"], Pattern = "(" },
                Cpus = new BatchRangeRule { Min = 8, Max = 4 },
            },
            Hubs = { ["h1"] = new SlurmHubOptions { Allowed = new SlurmAllowed { Qos = new BatchTextRule { Pattern = "[" } } } },
        };

        var errors = Validate(options).Failures!.ToList();

        foreach (var key in new[]
                 {
                     "Sbatch", "ExecPrefix", "Command", "JobEnvironment:BAD-NAME", "SystemUserPattern", "ScriptTemplate",
                     "ExtraSbatchOptions", "JobDirectory", "BindAddress", "PortRangeStart", "PortRangeEnd", "PollIntervalSeconds",
                     "QueryAttempts", "Defaults:Partition", "Defaults:Memory", "Defaults:Time", "Flavors:big:Cpus",
                     "Allowed:Account:Values", "Allowed:Account:Pattern", "Allowed:Cpus:Max", "Hubs:h1:Allowed:Qos:Pattern",
                 })
        {
            Assert.Contains(errors, e => e.StartsWith($"Outpost:Backends:Slurm:{key} ", StringComparison.Ordinal));
        }
        Assert.Contains(errors, e => e.Contains("must contain {{sbatch}}"));
        Assert.Contains(errors, e => e.Contains("unknown placeholder {{nope}}"));
    }

    [Fact]
    public void Validate_UserMapOutsidePattern_Fails()
    {
        var errors = Validate(new SlurmBackendOptions { UserMap = { ["alice@example.org"] = "Alice Smith" } }).Failures!;

        Assert.Contains("Outpost:Backends:Slurm:UserMap:alice@example.org 'Alice Smith' does not match SystemUserPattern.", errors);
    }

    [Fact]
    public void AddBackends_SlurmSection_BindsReplacesArrayDefaultsAndRegisters()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outpost:Backends:Default"] = "Slurm",
            ["Outpost:Backends:Slurm:Command:0"] = "/usr/bin/jupyterhub-singleuser",
            ["Outpost:Backends:Slurm:Args:0"] = "--allow-root",
            ["Outpost:Backends:Slurm:CommandEnvironment:SLURM_CONF"] = "/tmp/slurm.conf",
            ["Outpost:Backends:Slurm:Allowed:Partition:Values:0"] = "debug",
            ["Outpost:Backends:Slurm:Allowed:Cpus:Max"] = "4",
            ["Outpost:Backends:Slurm:Flavors:small:Memory"] = "1G",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<SlurmBackendOptions>>().Value;
        var backend = services.GetRequiredService<BackendCatalog>().Get(BackendNames.Slurm);

        Assert.Equal(["/usr/bin/jupyterhub-singleuser"], options.Command);
        Assert.Equal(["--allow-root"], options.Args);
        Assert.Equal("/tmp/slurm.conf", options.CommandEnvironment["SLURM_CONF"]);
        Assert.Equal(["debug"], options.Allowed.Partition.Values);
        Assert.Equal(4, options.Allowed.Cpus.Max);
        Assert.Equal("1G", options.Flavors["small"].Memory);
        Assert.IsType<SlurmBackend>(backend);
    }

    [Fact]
    public void AddBackends_NoSlurmSection_RegistersNoSlurmBackend()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();

        Assert.False(services.GetRequiredService<BackendCatalog>().TryGet(BackendNames.Slurm, out _));
    }

    [Fact]
    public void AddBackends_BadSlurmSection_FailsValidationWithTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outpost:Backends:Slurm:PortRangeStart"] = "80",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SlurmBackendOptions>>().Value);
        Assert.Contains("Outpost:Backends:Slurm:PortRangeStart must be between 1024 and 65535 (got 80).", e.Failures);
    }
}
