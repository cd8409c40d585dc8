using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;
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
        AddConfigFile(builder.Configuration);
        if (builder.Configuration.GetValue<bool>("Outpost:JsonLogs"))
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        builder.Services.AddOutpost(builder.Configuration);
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<OutpostOptions>>((kestrel, outpost) => kestrel.Limits.MaxRequestBodySize = outpost.Value.MaxRequestBytes);
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

    private static void AddConfigFile(ConfigurationManager configuration)
    {
        var path = configuration["config"] ?? Environment.GetEnvironmentVariable("OUTPOST_CONFIG");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Configuration file '{path}' does not exist.", path);
        }
        IConfigurationSource source = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? new YamlConfigurationSource(path)
            : new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        if (source is FileConfigurationSource fileSource)
        {
            fileSource.ResolveFileProvider();
        }
        // Below environment variables and the command line, so those can override the file.
        var sources = configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        sources.Insert(index < 0 ? sources.Count : index, source);
    }
}
