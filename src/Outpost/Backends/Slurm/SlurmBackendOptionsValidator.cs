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
        BatchBackendOptionsChecks.CheckTemplate(options.ScriptTemplate, "sbatch", template => SlurmScript.Render(new SlurmScriptInput
        {
            Common = new JobScriptInput
            {
                Template = template,
                JobName = "check",
                JobDirectory = "/tmp",
                OutputFile = "/tmp/check-%j.out",
                Command = ["true"],
            },
        }), Error);
        BatchBackendOptionsChecks.CheckExtraOptions(nameof(options.ExtraSbatchOptions), options.ExtraSbatchOptions, Error);

        BatchBackendOptionsChecks.CheckLayers(
            options.Defaults, options.Flavors, options.Allowed,
            options.Hubs.Select(hub => (hub.Key, hub.Value.Allowed, hub.Value.Defaults)),
            CheckResources, CheckAllowed, Error);
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
        BatchBackendOptionsChecks.CheckMemoryAndTime(
            key, resources.Memory, resources.Time, SlurmValues.TryParseMemoryMb, SlurmValues.TryParseTimeMinutes, error);
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
