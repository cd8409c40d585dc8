using System.CommandLine;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.LocalProcess;
using Outpost.Hosting;
using Outpost.Hubs;
using Outpost.Processes;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Checks;

/// <summary>
/// <c>outpost check [--hub URL]</c>: proves, without changing anything, that this Outpost would work: the
/// configuration, hub names, the database and its schema, the clocks of replicas, every configured backend, the
/// sshd tunnel account and, when given, a hub's URL. One line per finding (<see cref="CheckLine"/>); the exit
/// code is the worst severity: 0 all ok, 1 warnings, 2 failures (as monitoring plugins count).
/// </summary>
public static class CheckCommand
{
    private const string ConfigurationFix = "correct the key named here (in the --config file, the environment or the command line)";

    public static Command Create()
    {
        var hub = new Option<string>("--hub") { Description = "also check that this hub URL answers", HelpName = "URL" };
        var check = new Command("check", "check configuration, database, backends, sshd, clocks (and a hub's URL) without changing anything; "
            + "one line each: ok | warn | fail, with a fix; exits 0 all ok, 1 warnings, 2 failures") { hub };
        var configuration = ConfigurationArguments.AddTo(check);
        check.SetAction((result, _) => RunAsync(configuration.From(result), result.GetValue(hub), result.InvocationConfiguration.Output));
        return check;
    }

    /// <param name="buildArgs">configuration arguments, as <c>outpost serve</c> takes them</param>
    /// <param name="hubUrl">a hub's URL to reach, or null</param>
    /// <param name="output">where the findings go, one line each</param>
    public static async Task<int> RunAsync(string[] buildArgs, string? hubUrl, TextWriter output)
    {
        var lines = new List<CheckLine>();
        void Print(IEnumerable<CheckLine> found)
        {
            foreach (var line in found)
            {
                lines.Add(line);
                output.WriteLine(line);
            }
        }

        WebApplication app;
        try
        {
            // Its findings are the output: the log (a spawner host starting, say) would only interleave with them.
            app = OutpostApp.Build([.. buildArgs, "--Logging:LogLevel:Default=Warning"]);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException)
        {
            Print([CheckLine.Fail("Configuration", ex.Message, ConfigurationFix)]);
            return Exit(lines);
        }
        await using (app)
        {
            var services = app.Services;
            if (ValidateConfiguration(services) is { Count: > 0 } invalid)
            {
                Print(invalid);
                return Exit(lines);
            }
            Print([CheckLine.Ok("Configuration", "valid")]);

            var dataDir = services.GetRequiredService<IOptions<OutpostOptions>>().Value.DataDir;
            var (storageLines, storedHubs) = await StorageCheck.RunAsync(
                services.GetRequiredService<IOptions<StorageOptions>>().Value, dataDir,
                services.GetRequiredService<IOptions<ReplicasOptions>>().Value, TimeProvider.System, CancellationToken.None);
            Print(storageLines);
            Print([HubsLine(services.GetRequiredService<IOptions<HubsOptions>>().Value.Hubs.Keys, storedHubs)]);

            var catalog = services.GetRequiredService<BackendCatalog>();
            Print([CheckLine.Ok("Backends", $"{string.Join(", ", catalog.Names)} (default {catalog.Default.Name})")]);
            foreach (var backend in services.GetServices<IBackend>())
            {
                Print(backend is IBackendCheck check
                    ? await check.CheckAsync(CancellationToken.None)
                    : [CheckLine.Warn($"Backend {backend.Name}", "cannot check itself", "start a server on it to see that it works")]);
            }

            var checkOptions = app.Configuration.GetSection("Outpost:Check").Get<CheckOptions>() ?? new CheckOptions();
            if (!string.IsNullOrWhiteSpace(checkOptions.TunnelUser))
            {
                Print(await SshdCheck.RunAsync(checkOptions, ServerAddresses(services), services.GetRequiredService<ICommandRunner>(), CancellationToken.None));
            }
            if (hubUrl is not null)
            {
                Print([await HubUrlCheck.RunAsync(hubUrl, CancellationToken.None)]);
            }
            Print([CheckLine.Ok("Original Outpost settings", services.GetRequiredService<OriginalOutpostSettings>().Summary())]);
        }
        return Exit(lines);
    }

    private static int Exit(List<CheckLine> lines) => (int)lines.Select(l => l.Severity).DefaultIfEmpty(CheckSeverity.Ok).Max();

    /// <summary>Runs every options validator (as start-up does); one failing line per error, each naming its key.</summary>
    private static List<CheckLine> ValidateConfiguration(IServiceProvider services)
    {
        var lines = new List<CheckLine>();
        foreach (var validator in services.GetServices<IStartupValidator>())
        {
            try
            {
                validator.Validate();
            }
            catch (Exception ex) when (OutpostCommandLine.ValidationFailures(ex) is { Count: > 0 } failures)
            {
                lines.AddRange(failures.Select(failure => CheckLine.Fail("Configuration", failure, ConfigurationFix)));
            }
        }
        return lines;
    }

    /// <summary>Configured and stored hubs together; names that differ only in case (or Unicode form) fail.</summary>
    private static CheckLine HubsLine(IEnumerable<string> configured, IReadOnlyList<string>? stored)
    {
        var all = configured.Concat(stored ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (HubNames.Collisions(all) is { Count: > 0 } collisions)
        {
            var groups = string.Join("; ", collisions.Select(names => string.Join(" and ", names.Select(n => $"'{n}'"))));
            return CheckLine.Fail("Hubs", $"{groups} differ only in case (or Unicode form), so one would stand in for the other",
                $"keep one spelling: remove the others from {HubNames.SectionPath}, or from the database if `outpost hub add` stored them");
        }
        var suffix = stored is null ? " (stored hubs not read: see Storage)" : "";
        return all.Count == 0
            ? CheckLine.Warn("Hubs", "none configured or stored" + suffix, $"add one under {HubNames.SectionPath}:NAME:Password, or with `outpost hub add NAME`")
            : CheckLine.Ok("Hubs", string.Join(", ", all) + suffix);
    }

    /// <summary>Where servers listen that tunnels must reach: the local backend's address, when it is configured.</summary>
    private static IReadOnlyList<string> ServerAddresses(IServiceProvider services) =>
        services.GetServices<IBackend>().OfType<LocalProcessBackend>().Any()
            ? [services.GetRequiredService<IOptions<LocalProcessBackendOptions>>().Value.Ip]
            : [];
}
