using Outpost.Backends.Slurm;

namespace Outpost.Tests.Backends.Slurm;

public sealed class BatchScriptTests
{
    private static BatchScriptInput Input() => new()
    {
        JobName = "hub1-alice-0",
        JobDirectory = "/srv/work/hub1-alice-0",
        OutputFile = "/srv/work/hub1-alice-0/hub1-alice-0-%j.out",
        ExportNames = ["JUPYTERHUB_API_TOKEN", "OUTPOST_PORT"],
        Resources = new SlurmJobResources
        {
            Partition = "debug",
            Account = "proj1",
            Qos = "normal",
            Reservation = "course",
            Constraint = "intel&ib",
            Gres = "gpu:a100:1",
            Gpus = 1,
            Nodes = 1,
            Cpus = 4,
            MemoryMb = 4096,
            TimeMinutes = 90,
        },
        Command = ["/usr/bin/jupyterhub-singleuser", "--allow-root"],
    };

    [Fact]
    public void Render_AllResources_WritesOneSbatchLineEach()
    {
        var script = BatchScript.Render(Input());

        Assert.Equal(
            """
            #!/bin/bash
            #SBATCH --job-name=hub1-alice-0
            #SBATCH --chdir=/srv/work/hub1-alice-0
            #SBATCH --output=/srv/work/hub1-alice-0/hub1-alice-0-%j.out
            #SBATCH --export=JUPYTERHUB_API_TOKEN,OUTPOST_PORT
            #SBATCH --partition=debug
            #SBATCH --account=proj1
            #SBATCH --qos=normal
            #SBATCH --reservation=course
            #SBATCH --constraint=intel&ib
            #SBATCH --gres=gpu:a100:1
            #SBATCH --gpus=1
            #SBATCH --nodes=1
            #SBATCH --cpus-per-task=4
            #SBATCH --mem=4096M
            #SBATCH --time=90
            set -eu
            # Where the server listens: its node (or the configured address) and the port the Outpost chose.
            OUTPOST_NODE="${SLURMD_NODENAME:-$(hostname)}"
            export JUPYTERHUB_SERVICE_URL="${OUTPOST_SCHEME:-http}://${OUTPOST_BIND_ADDRESS:-$OUTPOST_NODE}:${OUTPOST_PORT}${JUPYTERHUB_SERVICE_PREFIX:-/}"
            export OUTPOST_SERVICE_ADDRESS="${OUTPOST_SERVICE_HOST:-$OUTPOST_NODE}:${OUTPOST_PORT}"
            '/usr/bin/jupyterhub-singleuser' '--allow-root'

            """,
            script);
    }

    [Fact]
    public void Render_NoResources_WritesOnlyJobLines()
    {
        var script = BatchScript.Render(Input() with { Resources = new SlurmJobResources(), ExportNames = [] });

        Assert.Contains("#SBATCH --export=NONE\n", script);
        Assert.DoesNotContain("--partition", script);
        Assert.DoesNotContain("--time", script);
    }

    [Fact]
    public void Render_PrologueEpilogueAndExtraOptions_AppearInPlace()
    {
        var script = BatchScript.Render(Input() with
        {
            Prologue = "module load jupyter\n",
            Epilogue = "echo done",
            ExtraOptions = ["--get-user-env=L"],
        });

        var lines = script.Split('\n');
        Assert.Contains("#SBATCH --get-user-env=L", lines);
        Assert.True(Array.IndexOf(lines, "module load jupyter") < Array.IndexOf(lines, "'/usr/bin/jupyterhub-singleuser' '--allow-root'"));
        Assert.Equal("echo done", lines[^2]);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(id) `id` \"x\" ;|&", "'$(id) `id` \"x\" ;|&'")]
    [InlineData("", "''")]
    public void Quote_AnyWord_IsOneLiteralShellWord(string word, string quoted) =>
        Assert.Equal(quoted, BatchScript.Quote(word));

    [Theory]
    [InlineData("debug\n#SBATCH --uid=0")]
    [InlineData("a b")]
    [InlineData("$(id)")]
    [InlineData("x;y")]
    public void Render_UnsafeResource_Throws(string partition) =>
        Assert.Throws<ArgumentException>(() => BatchScript.Render(Input() with { Resources = new SlurmJobResources { Partition = partition } }));

    [Theory]
    [InlineData("relative/dir")]
    [InlineData("/dir with space")]
    [InlineData("/dir\n#SBATCH --uid=0")]
    public void Render_UnsafeDirectory_Throws(string directory) =>
        Assert.Throws<ArgumentException>(() => BatchScript.Render(Input() with { JobDirectory = directory }));

    [Fact]
    public void Render_BadExportName_Throws() =>
        Assert.Throws<ArgumentException>(() => BatchScript.Render(Input() with { ExportNames = ["A,B=1"] }));

    [Fact]
    public void Render_UnknownPlaceholder_Throws() =>
        Assert.Throws<ArgumentException>(() => BatchScript.Render(Input() with { Template = "#!/bin/bash\n{{sbatch}}\n{{user}}\n{{command}}" }));

    [Fact]
    public void Render_CustomTemplate_KeepsItsText()
    {
        var script = BatchScript.Render(Input() with { Template = "#!/bin/sh\n{{sbatch}}\nexec {{command}} --debug\n" });

        Assert.StartsWith("#!/bin/sh\n#SBATCH --job-name=hub1-alice-0\n", script);
        Assert.EndsWith("exec '/usr/bin/jupyterhub-singleuser' '--allow-root' --debug\n", script);
    }

    [Fact]
    public void Render_DelayedTunnel_AddsReportThatReadsOnlyTheEnvironment()
    {
        var script = BatchScript.Render(Input() with { DelayedTunnel = true, Python = "/opt/py/bin/python3" });

        Assert.Contains("'/opt/py/bin/python3' - <<'OUTPOST_REPORT_ADDRESS' || true\n", script);
        Assert.Contains("os.environ.get(\"JUPYTERHUB_SETUPTUNNEL_URL\")", script);
        Assert.Contains("\nOUTPOST_REPORT_ADDRESS\n", script);
    }
}
