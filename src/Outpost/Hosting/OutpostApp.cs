using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Outpost.Admin;
using Outpost.Backends.Kubernetes.Profiles;
using Outpost.Flavors;
using Outpost.Operations;
using Outpost.Servers;
using Outpost.Status;

namespace Outpost.Hosting;

/// <summary>Builds the Outpost web application; shared by <c>outpost serve</c> and the tests.</summary>
public static class OutpostApp
{
    /// <summary>
    /// Creates the app. Configuration comes, lowest first, from appsettings.json (next to the program), the original
    /// Outpost's environment variables (<see cref="OriginalOutpostSettings"/>), the file named by <c>--config</c> or
    /// <c>OUTPOST_CONFIG</c> (JSON or YAML), environment variables and the command line.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The app's own folder holds appsettings.json, wherever the Outpost is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Both go below the environment variables and the command line: first the file, then the original's variables below it.
        var index = FirstEnvironmentSourceIndex(builder.Configuration.Sources);
        builder.Services.AddSingleton(new ConfigFile(AddConfigFile(builder.Configuration, index)));
        AddOriginalOutpostSettings(builder, OriginalOutpostSettings.Read(OriginalOutpostSettings.ProcessEnvironment(), builder.Configuration), index);
        if (builder.Configuration.GetValue<bool>("Outpost:JsonLogs"))
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        builder.Services.AddOutpost(builder.Configuration);
        // Read raw: Kestrel is created during Build(), before start-up validation reports every error at once.
        var maxRequestBytes = builder.Configuration.GetValue("Outpost:MaxRequestBytes", new OutpostOptions().MaxRequestBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Math.Clamp(maxRequestBytes, 1024, 256 * 1024 * 1024));
        var adminSocket = Admin.AdminSocket.Listen(builder);
        configure?.Invoke(builder);

        var app = builder.Build();
        if (adminSocket is not null)
        {
            app.Lifetime.ApplicationStarted.Register(() => Admin.AdminSocket.Restrict(adminSocket));
        }
        app.MapOutpost(builder.Configuration["Outpost:BasePath"]); // or the original's OUTPOST_BASE_PATH, mapped below ours
        return app;
    }

    /// <summary>The table of contents of the HTTP surface.</summary>
    public static WebApplication MapOutpost(this WebApplication app, string? basePath)
    {
        if (!string.IsNullOrEmpty(basePath))
        {
            app.UsePathBase(basePath.TrimEnd('/')); // requests work with and without the prefix
        }
        app.UseAdminChannel(); // the admin socket serves /admin only, and only it does
        app.UseRequestMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOperations();
        app.MapServers();
        app.MapFlavors();
        app.MapKubernetesProfiles();
        app.MapStatusPage();
        app.MapAdmin();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Adds what the original Outpost's variables map to, below the configuration file, so every setting of ours wins;
    /// registers the mapping for <c>outpost check</c> and its errors for start-up validation.
    /// </summary>
    internal static void AddOriginalOutpostSettings(WebApplicationBuilder builder, OriginalOutpostSettings original, int index)
    {
        var sources = builder.Configuration.Sources;
        sources.Insert(index, new MemoryConfigurationSource { InitialData = original.Values });
        if (original.FlavorsFile is { } flavorsFile)
        {
            sources.Insert(index, OriginalFlavorsFile.SourceFor(flavorsFile));
        }
        builder.Services.AddSingleton(original);
        builder.Services.AddSingleton(new OriginalFlavorsFile(original.FlavorsFile));
        builder.Services.AddOptions<OriginalOutpostOptions>().Configure(o => o.Errors = original.Errors).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OriginalOutpostOptions>, OriginalOutpostOptionsValidator>();
    }

    /// <summary>The position of the first environment variables source, where lower sources are inserted.</summary>
    internal static int FirstEnvironmentSourceIndex(IList<IConfigurationSource> sources)
    {
        var index = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        return index < 0 ? sources.Count : index;
    }

    /// <summary>Adds the configuration file, if one is named; returns its full path.</summary>
    private static string? AddConfigFile(ConfigurationManager configuration, int index)
    {
        var path = configuration["config"] ?? Environment.GetEnvironmentVariable("OUTPOST_CONFIG");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Configuration file '{path}' does not exist.", path);
        }
        // Below environment variables and the command line, so those can override the file.
        configuration.Sources.Insert(index, ConfigFile.SourceFor(path));
        return path;
    }
}
