using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Outpost.Flavors;
using Outpost.Operations;
using Outpost.Servers;

namespace Outpost.Hosting;

/// <summary>Builds the Outpost web application; shared by <c>outpost serve</c> and the tests.</summary>
public static class OutpostApp
{
    /// <summary>
    /// Creates the app. Configuration comes, lowest first, from appsettings.json, the file named by
    /// <c>--config</c> or <c>OUTPOST_CONFIG</c> (JSON or YAML), environment variables and the command line.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Services.AddSingleton(new ConfigFile(AddConfigFile(builder.Configuration)));
        if (builder.Configuration.GetValue<bool>("Outpost:JsonLogs"))
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        builder.Services.AddOutpost(builder.Configuration);
        // Read raw: Kestrel is created during Build(), before start-up validation reports every error at once.
        var maxRequestBytes = builder.Configuration.GetValue("Outpost:MaxRequestBytes", new OutpostOptions().MaxRequestBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Math.Clamp(maxRequestBytes, 1024, 256 * 1024 * 1024));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapOutpost(builder.Configuration["Outpost:BasePath"] ?? Environment.GetEnvironmentVariable("OUTPOST_BASE_PATH"));
        return app;
    }

    /// <summary>The table of contents of the HTTP surface.</summary>
    public static WebApplication MapOutpost(this WebApplication app, string? basePath)
    {
        if (!string.IsNullOrEmpty(basePath))
        {
            app.UsePathBase(basePath.TrimEnd('/')); // requests work with and without the prefix
        }
        app.UseRequestMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOperations();
        app.MapServers();
        app.MapFlavors();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>Adds the configuration file, if one is named; returns its full path.</summary>
    private static string? AddConfigFile(ConfigurationManager configuration)
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
        var sources = configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        sources.Insert(index < 0 ? sources.Count : index, ConfigFile.SourceFor(path));
        return path;
    }
}
