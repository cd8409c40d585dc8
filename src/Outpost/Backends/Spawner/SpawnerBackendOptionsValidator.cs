using Microsoft.Extensions.Options;
using Outpost.Hosting;

namespace Outpost.Backends.Spawner;

/// <summary>Checks each spawner backend's options at start-up, naming every bad key under its own section.</summary>
public sealed class SpawnerBackendOptionsValidator : IValidateOptions<SpawnerBackendOptions>
{
    private static readonly string[] LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

    public ValidateOptionsResult Validate(string? name, SpawnerBackendOptions options)
    {
        var prefix = $"Outpost:Backends:{name}";
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConfigFile))
        {
            errors.Add($"{prefix}:ConfigFile is required: the spawner configuration file (c.JupyterHubOutpost.spawner_class = ...).");
        }
        else if (!File.Exists(options.ConfigFile))
        {
            errors.Add($"{prefix}:ConfigFile '{options.ConfigFile}' does not exist.");
        }
        if (!Path.IsPathFullyQualified(options.Python) || !File.Exists(options.Python))
        {
            errors.Add($"{prefix}:Python '{options.Python}' is not an existing absolute path to a Python interpreter.");
        }
        if (!File.Exists(Path.Combine(options.ResolvedHostPath, "outpost_spawnerhost", "__main__.py")))
        {
            errors.Add($"{prefix}:HostPath '{options.ResolvedHostPath}' does not contain the outpost_spawnerhost package.");
        }
        foreach (var folder in options.PythonPath.Where(f => !Directory.Exists(f)))
        {
            errors.Add($"{prefix}:PythonPath entry '{folder}' is not an existing folder.");
        }
        foreach (var key in options.Environment.Keys.Where(k => k.Length == 0 || k.Contains('=') || k.Contains('\0')))
        {
            errors.Add($"{prefix}:Environment key '{key}' is not a valid environment variable name.");
        }
        if (!LogLevels.Contains(options.LogLevel.ToUpperInvariant()))
        {
            errors.Add($"{prefix}:LogLevel must be one of {string.Join(", ", LogLevels)} (got '{options.LogLevel}').");
        }
        OptionRange.Check(errors, $"{prefix}:CallTimeoutSeconds", options.CallTimeoutSeconds, 1, 3600);
        OptionRange.Check(errors, $"{prefix}:StopTimeoutSeconds", options.StopTimeoutSeconds, 1, 86400);
        OptionRange.Check(errors, $"{prefix}:MaxRestartDelaySeconds", options.MaxRestartDelaySeconds, 1, 3600);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
