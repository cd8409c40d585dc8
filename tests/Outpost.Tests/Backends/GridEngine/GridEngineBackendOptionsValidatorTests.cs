using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;
using Outpost.Backends.GridEngine;

namespace Outpost.Tests.Backends.GridEngine;

public sealed class GridEngineBackendOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(GridEngineBackendOptions options) =>
        new GridEngineBackendOptionsValidator().Validate(null, options);

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(new GridEngineBackendOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEveryKey()
    {
        var errors = Validate(new GridEngineBackendOptions
        {
            Qsub = "",
            ScriptTemplate = "#!/bin/bash\n{{sbatch}}\n{{command}}\n",
            ExtraQsubOptions = ["P proj"],
            PortRangeStart = 80,
            Defaults = new GridEngineResources { Queue = "all.q -u root", Slots = 2, Memory = "lots" },
            Allowed = new GridEngineAllowed { Queue = new BatchTextRule { Pattern = "(" }, Slots = new BatchRangeRule { Min = 4, Max = 2 } },
        }).Failures!;

        Assert.Contains("Outpost:Backends:GridEngine:Qsub must name a program.", errors);
        Assert.Contains("Outpost:Backends:GridEngine:ScriptTemplate must contain {{qsub}}.", errors);
        Assert.Contains(errors, e => e.StartsWith("Outpost:Backends:GridEngine:ScriptTemplate unknown placeholder {{sbatch}}", StringComparison.Ordinal));
        Assert.Contains("Outpost:Backends:GridEngine:ExtraQsubOptions item 'P proj' must be one option starting with '-', on one line.", errors);
        Assert.Contains("Outpost:Backends:GridEngine:PortRangeStart must be between 1024 and 65535 (got 80).", errors);
        Assert.Contains("Outpost:Backends:GridEngine:Defaults:Queue may only contain letters, digits and _ . , @ * -.", errors);
        Assert.Contains("Outpost:Backends:GridEngine:Defaults:ParallelEnvironment and Slots go together: set both or neither.", errors);
        Assert.Contains("Outpost:Backends:GridEngine:Defaults:Memory 'lots' is not a memory size such as 4096 or 4G.", errors);
        Assert.Contains(errors, e => e.StartsWith("Outpost:Backends:GridEngine:Allowed:Queue:Pattern is not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains("Outpost:Backends:GridEngine:Allowed:Slots:Max (2) must not be below Min (4).", errors);
    }
}
