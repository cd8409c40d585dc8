using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Outpost.Checks;
using Outpost.Hubs;
using Outpost.Processes;
using Outpost.Storage;

namespace Outpost.Hosting;

/// <summary>The <c>outpost</c> command: serve, hub add, hub hash-password, check (<see cref="CheckCommand"/>).</summary>
public static class OutpostCommandLine
{
    public const string Usage = """
        Usage: outpost <command> [options]

          serve [--urls URL] [--config FILE]   run the Outpost (HTTP API) in the foreground
          hub add NAME [--config FILE]         create or reset hub NAME; prints its new password once
          hub hash-password                    read a password from stdin, print a PasswordHash for config
          check [--hub URL] [--config FILE]    check configuration, database, backends, sshd, clocks (and a
                                               hub's URL) without changing anything; one line each:
                                               ok | warn | fail, with a fix; exits 0 all ok, 1 warnings, 2 failures
          tunnels serve --state-dir DIR [--listen 127.0.0.1:8089] [--token-file FILE] [--check-interval S]
                                               run the tunnel service beside the hub: it owns the SSH forwards
                                               (HTTP API, bearer token from the file or OUTPOST_TUNNEL_TOKEN)

        Configuration: appsettings.json, --config FILE (JSON or YAML), environment (Outpost__DataDir,
        Outpost__Hubs__NAME__Password, Outpost__Backends__Local__Command__0, ...), command line.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var result = CommandLineInvocation.Parse(Root(), args);
        try
        {
            return result.Errors.Count > 0
                ? CommandLineInvocation.BadUsage(result, Console.Error, FullUsage)
                : await CommandLineInvocation.InvokeAsync(result, Console.Out, Console.Error);
        }
        catch (Exception ex) when (ValidationFailures(ex) is { Count: > 0 } failures)
        {
            Console.Error.WriteLine("The configuration is not valid:");
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"  - {failure}");
            }
            return 1;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException or StorageUnavailableException)
        {
            Console.Error.WriteLine($"outpost: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The whole command tree; each feature contributes its own commands.</summary>
    internal static RootCommand Root()
    {
        var root = new RootCommand("Outpost: starts JupyterHub single-user servers on remote systems.");
        // `outpost --help` (and `outpost help`) show the overview above; a subcommand's --help is generated from its options.
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new OverviewHelpAction((SynchronousCommandLineAction)help.Action!);
        var helpCommand = new Command("help") { Hidden = true };
        helpCommand.SetAction(result => PrintUsage(result.InvocationConfiguration.Output, 0));
        root.Subcommands.Add(helpCommand);

        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(HubCommand());
        root.Subcommands.Add(CheckCommand.Create());
        var tunnels = new Command("tunnels", "the tunnel service that runs beside the hub");
        tunnels.Subcommands.Add(Tunnels.TunnelServeCommand.Create());
        root.Subcommands.Add(tunnels);
        foreach (var command in Admin.AdminCommandLine.Commands())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    private static Command ServeCommand()
    {
        var serve = new Command("serve", "run the Outpost (HTTP API) in the foreground");
        var configuration = ConfigurationArguments.AddTo(serve, withUrls: true);
        serve.SetAction((result, _) => ServeAsync(configuration.From(result)));
        return serve;
    }

    private static Command HubCommand()
    {
        var name = new Argument<string>("NAME") { Description = "the hub's name (1-63 letters, digits, '.', '_' or '-')" };
        var add = new Command("add", "create or reset hub NAME; prints its new password once") { name };
        var configuration = ConfigurationArguments.AddTo(add);
        add.SetAction((result, _) => AddHubAsync(result.GetValue(name)!, configuration.From(result)));

        var hashPassword = new Command("hash-password", "read a password from stdin, print a PasswordHash for config");
        hashPassword.SetAction(_ => HashPassword());

        return new Command("hub", "hubs that may use this Outpost") { add, hashPassword };
    }

    private static string FullUsage =>
        Usage.Replace("\n\nConfiguration:", $"\n{Admin.AdminCommandLine.Usage}\n\nConfiguration:", StringComparison.Ordinal);

    /// <summary>Every option failure in <paramref name="exception"/>; start-up validation aggregates one per options type.</summary>
    internal static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ValidationFailures)],
        _ => [],
    };

    private static int PrintUsage(TextWriter writer, int exitCode)
    {
        writer.WriteLine(FullUsage);
        return exitCode;
    }

    /// <summary>Help for <c>outpost</c> itself is the overview; for a subcommand, the generated help.</summary>
    private sealed class OverviewHelpAction(SynchronousCommandLineAction generated) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) =>
            parseResult.CommandResult.Command is RootCommand
                ? PrintUsage(parseResult.InvocationConfiguration.Output, 0)
                : generated.Invoke(parseResult);
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        await using var app = OutpostApp.Build(args);
        app.Services.GetRequiredService<OriginalOutpostSettings>().LogUse(app.Logger);
        await app.RunAsync();
        return 0;
    }

    private static async Task<int> AddHubAsync(string name, string[] args)
    {
        if (!HubsOptionsValidator.HubName().IsMatch(name))
        {
            Console.Error.WriteLine($"outpost: '{name}' is not a valid hub name (1-63 letters, digits, '.', '_' or '-').");
            return 2;
        }
        await using var app = OutpostApp.Build(args);
        var configured = app.Services.GetRequiredService<IOptions<HubsOptions>>().Value.Hubs.Keys;
        await MigrateAsync(app.Services);
        var store = app.Services.GetRequiredService<IHubStore>();
        // Hub names are compared ordinally, so 'Teaching' would be a second hub beside 'teaching': refused, because
        // configuration would merge the two and an operator cannot tell them apart in a list.
        if (configured.Concat(await store.ListAsync()).FirstOrDefault(existing => HubNames.Collide(existing, name)) is { } clash)
        {
            Console.Error.WriteLine($"outpost: hub '{name}' differs from the existing hub '{clash}' only in case (or Unicode form); use '{clash}' to reset its password, or choose another name.");
            return 2;
        }
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        await store.SetPasswordHashAsync(name, PasswordHash.Create(password));
        Console.WriteLine($"Hub '{name}' added. Its password (shown only now):");
        Console.WriteLine(password);
        return 0;
    }

    private static int HashPassword()
    {
        var password = Console.In.ReadLine();
        if (string.IsNullOrEmpty(password) || password.Length < 8)
        {
            Console.Error.WriteLine("outpost: give a password of at least 8 characters on standard input.");
            return 2;
        }
        Console.WriteLine(PasswordHash.Create(password));
        return 0;
    }

    /// <summary>Migrates the configured database once (no waiting: these commands are run by hand).</summary>
    private static async Task<IDatabase> MigrateAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<IDatabase>();
        try
        {
            await database.MigrateAsync();
        }
        catch (Exception ex)
        {
            throw new StorageUnavailableException($"The {database.Provider} database at {database.Location} cannot be used: {ex.Message}", ex);
        }
        return database;
    }
}
