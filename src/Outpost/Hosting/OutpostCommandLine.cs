using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Outpost.Checks;
using Outpost.Hubs;
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
        var command = args.Length > 0 ? args[0] : "";
        try
        {
            return command switch
            {
                "serve" => await ServeAsync(args[1..]),
                "hub" when args.Length >= 3 && args[1] == "add" => await AddHubAsync(args[2], args[3..]),
                "hub" when args.Length >= 2 && args[1] == "hash-password" => HashPassword(),
                "check" => await CheckCommand.RunAsync(args[1..], Console.Out),
                "tunnels" when args.Length >= 2 && args[1] == "serve" => await Tunnels.TunnelServeCommand.RunAsync(args[2..]),
                "servers" or "events" when Admin.AdminCommandLine.Handles(args) => await Admin.AdminCommandLine.RunAsync(args, Console.Out, Console.Error),
                "--help" or "-h" or "help" => PrintUsage(Console.Out, 0),
                _ => PrintUsage(Console.Error, 2),
            };
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

    /// <summary>Every option failure in <paramref name="exception"/>; start-up validation aggregates one per options type.</summary>
    internal static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ValidationFailures)],
        _ => [],
    };

    private static int PrintUsage(TextWriter writer, int exitCode)
    {
        writer.WriteLine(Usage.Replace("\n\nConfiguration:", $"\n{Admin.AdminCommandLine.Usage}\n\nConfiguration:", StringComparison.Ordinal));
        return exitCode;
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
