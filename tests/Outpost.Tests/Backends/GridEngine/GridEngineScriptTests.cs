using Outpost.Backends.Batch;
using Outpost.Backends.GridEngine;

namespace Outpost.Tests.Backends.GridEngine;

public sealed class GridEngineScriptTests
{
    private static GridEngineScriptInput Input(string template = GridEngineScript.DefaultTemplate) => new()
    {
        Common = new JobScriptInput
        {
            Template = template,
            JobName = "hub1-alice-0",
            JobDirectory = "/srv/work/hub1-alice-0",
            OutputFile = "/srv/work/hub1-alice-0/hub1-alice-0-$JOB_ID.out",
            ExportNames = ["JUPYTERHUB_API_TOKEN", "OUTPOST_PORT"],
            Command = ["/usr/bin/jupyterhub-singleuser", "--allow-root"],
        },
        Resources = new GridEngineJobResources { Queue = "all.q", ParallelEnvironment = "smp", Slots = 4, MemoryMb = 4096, TimeMinutes = 90 },
        ExtraOptions = ["-P proj1"],
    };

    [Fact]
    public void Render_AllResources_WritesOneLineEach()
    {
        var script = GridEngineScript.Render(Input());

        Assert.Equal(
            """
            #!/bin/bash
            #$ -S /bin/bash
            #$ -N hub1-alice-0
            #$ -wd /srv/work/hub1-alice-0
            #$ -o /srv/work/hub1-alice-0/hub1-alice-0-$JOB_ID.out
            #$ -j y
            #$ -v JUPYTERHUB_API_TOKEN,OUTPOST_PORT
            #$ -q all.q
            #$ -pe smp 4
            #$ -l h_vmem=4096M
            #$ -l h_rt=5400
            #$ -P proj1
            set -eu
            # Where the server listens: its node (or the configured address) and the port the Outpost chose.
            OUTPOST_NODE="${HOSTNAME:-$(hostname)}"
            export JUPYTERHUB_SERVICE_URL="${OUTPOST_SCHEME:-http}://${OUTPOST_BIND_ADDRESS:-$OUTPOST_NODE}:${OUTPOST_PORT}${JUPYTERHUB_SERVICE_PREFIX:-/}"
            export OUTPOST_SERVICE_ADDRESS="${OUTPOST_SERVICE_HOST:-$OUTPOST_NODE}:${OUTPOST_PORT}"
            '/usr/bin/jupyterhub-singleuser' '--allow-root'

            """,
            script);
    }

    [Fact]
    public void Render_InternalSsl_AsksForTheWarningSignalAndWritesTheCertificates()
    {
        var input = Input();
        var script = GridEngineScript.Render(input with { Common = input.Common with { InternalSsl = true } });

        Assert.Contains("#$ -notify\n", script);
        Assert.Contains(JobScript.SslSetup, script);
        Assert.Contains("trap 'outpost_ssl_cleanup; exit 140' USR2", script);
    }

    [Theory]
    [InlineData("all.q -u root")]
    [InlineData("all.q\n#$ -u root")]
    [InlineData("$(id)")]
    public void Render_UnsafeQueue_Throws(string queue) =>
        Assert.Throws<ArgumentException>(() => GridEngineScript.Render(Input() with { Resources = new GridEngineJobResources { Queue = queue } }));

    [Fact]
    public void Render_SlotsWithoutParallelEnvironment_Throws() =>
        Assert.Throws<ArgumentException>(() => GridEngineScript.Render(Input() with { Resources = new GridEngineJobResources { Slots = 2 } }));

    [Fact]
    public void Render_JobNameStartingWithADigit_Throws()
    {
        var input = Input();
        Assert.Throws<ArgumentException>(() => GridEngineScript.Render(input with { Common = input.Common with { JobName = "1job" } }));
    }

    [Fact]
    public void Render_TemplateWithAnInterpreterWithArguments_LeavesTheShellToTheQueue() =>
        Assert.DoesNotContain("#$ -S", GridEngineScript.Render(Input("#!/usr/bin/env bash\n{{qsub}}\n{{command}}\n")));
}
