using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>Checks the Slurm backend's options at start-up and names every bad key.</summary>
public sealed class SlurmBackendOptionsValidator : IValidateOptions<SlurmBackendOptions>
{
    private const string Prefix = "Outpost:Backends:Slurm";

    public ValidateOptionsResult Validate(string? name, SlurmBackendOptions options)
    {
        var errors = new List<string>();
        void Error(string key, string message) => errors.Add($"{Prefix}:{key} {message}");

        BatchBackendOptionsChecks.CheckPrograms(
            [
                (nameof(options.Sbatch), options.Sbatch), (nameof(options.Squeue), options.Squeue),
                (nameof(options.Sacct), options.Sacct), (nameof(options.Scancel), options.Scancel),
            ], Error);
        BatchBackendOptionsChecks.Check(options, Error);
        BatchBackendOptionsChecks.CheckTemplate(options.ScriptTemplate, "sbatch", template => BatchScript.Render(new BatchScriptInput
        {
            Template = template,
            JobName = "check",
            JobDirectory = "/tmp",
            OutputFile = "/tmp/check-%j.out",
            Command = ["true"],
        }), Error);
        foreach (var extra in options.ExtraSbatchOptions)
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsControl))
            {
                Error(nameof(options.ExtraSbatchOptions), $"item '{extra}' must be one option starting with '-', on one line.");
            }
        }

        CheckResources(nameof(options.Defaults), options.Defaults, Error);
        foreach (var (flavor, resources) in options.Flavors)
        {
            CheckResources($"Flavors:{flavor}", resources, Error);
        }
        CheckAllowed(nameof(options.Allowed), options.Allowed, Error);
        foreach (var (hub, hubOptions) in options.Hubs)
        {
            if (hubOptions.Allowed is not null)
            {
                CheckAllowed($"Hubs:{hub}:Allowed", hubOptions.Allowed, Error);
            }
            if (hubOptions.Defaults is not null)
            {
                CheckResources($"Hubs:{hub}:Defaults", hubOptions.Defaults, Error);
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckResources(string key, SlurmResources resources, Action<string, string> error)
    {
        foreach (var (field, value) in new[]
                 {
                     ("Partition", resources.Partition), ("Account", resources.Account), ("Qos", resources.Qos),
                     ("Reservation", resources.Reservation), ("Constraint", resources.Constraint), ("Gres", resources.Gres),
                 })
        {
            if (value is not null && !SlurmValues.IsSafeText(value))
            {
                error($"{key}:{field}", $"may only contain {SlurmValues.SafeCharacters}.");
            }
        }
        foreach (var (field, value) in new[] { ("Gpus", resources.Gpus), ("Nodes", resources.Nodes), ("Cpus", resources.Cpus) })
        {
            if (value is < 0)
            {
                error($"{key}:{field}", "must not be negative.");
            }
        }
        if (resources.Memory is not null && !SlurmValues.TryParseMemoryMb(resources.Memory, out _))
        {
            error($"{key}:Memory", $"'{resources.Memory}' is not a memory size such as 4096 or 4G.");
        }
        if (resources.Time is not null && !SlurmValues.TryParseTimeMinutes(resources.Time, out _))
        {
            error($"{key}:Time", $"'{resources.Time}' is not a time limit such as 90 or 8:00:00.");
        }
    }

    private static void CheckAllowed(string key, SlurmAllowed allowed, Action<string, string> error)
    {
        BatchBackendOptionsChecks.CheckTextRules(key,
            [
                ("Partition", allowed.Partition), ("Account", allowed.Account), ("Qos", allowed.Qos),
                ("Reservation", allowed.Reservation), ("Constraint", allowed.Constraint), ("Gres", allowed.Gres),
            ], SlurmValues.IsSafeText, SlurmValues.SafeCharacters, error);
        BatchBackendOptionsChecks.CheckRangeRules(key,
            [
                ("Gpus", allowed.Gpus), ("Nodes", allowed.Nodes), ("Cpus", allowed.Cpus),
                ("MemoryMb", allowed.MemoryMb), ("TimeMinutes", allowed.TimeMinutes),
            ], error);
    }
}
