using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Spawner;
using Outpost.Hubs;
using Outpost.Storage;

namespace Outpost.Hosting;

/// <summary>The <c>outpost</c> command: serve, hub add, hub hash-password, check.</summary>
public static class OutpostCommandLine
{
    public const string Usage = """
        Usage: outpost <command> [options]

          serve [--urls URL] [--config FILE]   run the Outpost (HTTP API) in the foreground
          hub add NAME [--config FILE]         create or reset hub NAME; prints its new password once
          hub hash-password                    read a password from stdin, print a PasswordHash for config
          check [--config FILE]                validate configuration and storage, then exit

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
                "check" => await CheckAsync(args[1..]),
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
    private static List<string> ValidationFailures(Exception exception) => exception switch
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

    private static async Task<int> CheckAsync(string[] args)
    {
        await using var app = OutpostApp.Build(args);
        var services = app.Services;
        // The start-up validator runs every options validator and reports all failures together.
        foreach (var validator in services.GetServices<IStartupValidator>())
        {
            validator.Validate();
        }
        var hubs = services.GetRequiredService<IOptions<HubsOptions>>().Value;
        var database = await MigrateAsync(services);
        var stored = await services.GetRequiredService<IHubStore>().ListAsync();
        var backends = services.GetRequiredService<BackendCatalog>();
        if (HubNames.Collisions(hubs.Hubs.Keys.Concat(stored)) is { Count: > 0 } collisions)
        {
            Console.Error.WriteLine("The configuration is not valid:");
            foreach (var names in collisions)
            {
                Console.Error.WriteLine($"  - hubs {string.Join(", ", names.Select(n => $"'{n}'"))} (configured under {HubNames.SectionPath} or added with 'outpost hub add') differ only in case (or Unicode form); remove all but one.");
            }
            return 1;
        }
        Console.WriteLine($"Storage: ok ({database.Provider} at {database.Location})");
        Console.WriteLine($"Hubs: {string.Join(", ", hubs.Hubs.Keys.Concat(stored).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}");
        Console.WriteLine($"Backends: {string.Join(", ", backends.Names)} (default {backends.Default.Name})");
        Console.WriteLine(services.GetRequiredService<OriginalOutpostSettings>().Summary());
        if (!await CheckSpawnerBackendsAsync(services))
        {
            return 1;
        }
        Console.WriteLine("Configuration: ok");
        return 0;
    }

    /// <summary>Loads each spawner backend's configuration file in its host; a Python error is printed with file and line.</summary>
    private static async Task<bool> CheckSpawnerBackendsAsync(IServiceProvider services)
    {
        var ok = true;
        foreach (var backend in services.GetServices<IBackend>().OfType<SpawnerBackend>())
        {
            try
            {
                Console.WriteLine($"Spawner backend {backend.Name}: ok ({await backend.CheckConfigAsync(CancellationToken.None)})");
            }
            catch (Exception ex) when (ex is SpawnerCallException or SpawnerHostUnavailableException)
            {
                Console.Error.WriteLine($"Spawner backend {backend.Name}: {ex.Message}");
                ok = false;
            }
        }
        return ok;
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
