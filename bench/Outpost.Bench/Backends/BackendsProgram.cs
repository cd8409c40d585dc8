using System.Diagnostics;
using Outpost.Bench.Load;

namespace Outpost.Bench.Backends;

/// <summary>The bench with <c>--p11</c>: runs <see cref="BackendsBench"/> and writes its section of the results.</summary>
public static class BackendsProgram
{
    public static async Task<int> RunAsync(BenchOptions options, ILoadGenerator generator, TextWriter log)
    {
        var sourceRoot = SourceRoot();
        if (sourceRoot is null)
        {
            log.WriteLine("P11 needs the source tree (spawnerhost/, bench/spawner/) above the bench's folder; run it through scripts/bench.");
            return 2;
        }
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadBefore = Machine.LoadAverage;
        var workDir = Directory.CreateTempSubdirectory("p11-bench-").FullName;
        var keep = false;
        try
        {
            log.WriteLine($"P11 bench: {Machine.Cores} cores, load {loadBefore}; {options.Runtime}; generator {generator.Description}; work in {workDir}");
            var sizes = new BackendsBench.Sizes(options.P11Servers, options.P11Iterations, options.P11Burst, options.P11Restarts, options.P11Containers);
            var results = await BackendsBench.RunAsync(options, sizes, generator, workDir, sourceRoot, log);
            var section = BackendsReport.Section(results, options, options.P11Command, started, loadBefore, Machine.LoadAverage, clock.Elapsed);
            if (options.ResultsFile is { } file)
            {
                var previous = File.Exists(file) ? await File.ReadAllTextAsync(file) : null;
                await File.WriteAllTextAsync(file, BackendsReport.Write(previous, section, BackendsReport.SummaryRows(results, options)));
                log.WriteLine($"Wrote P11 to {file} ({clock.Elapsed.TotalSeconds:0} s).");
            }
            else
            {
                log.WriteLine(section);
            }
            return 0;
        }
        catch
        {
            keep = true;
            log.WriteLine($"P11 failed; the Outposts' logs are kept in {workDir}.");
            throw;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    /// <summary>The checkout the bench was built from: the first folder above it that holds Outpost.slnx.</summary>
    private static string? SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Outpost.slnx")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
