using Microsoft.Extensions.Options;
using Outpost.Backends.Batch;

namespace Outpost.Backends.GridEngine;

/// <summary>Checks the Grid Engine backend's options at start-up and names every bad key.</summary>
public sealed class GridEngineBackendOptionsValidator : IValidateOptions<GridEngineBackendOptions>
{
    private const string Prefix = "Outpost:Backends:" + GridEngineBackendOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, GridEngineBackendOptions options)
    {
        var errors = new List<string>();
        void Error(string key, string message) => errors.Add($"{Prefix}:{key} {message}");

        BatchBackendOptionsChecks.CheckPrograms(
            [
                (nameof(options.Qsub), options.Qsub), (nameof(options.Qstat), options.Qstat), (nameof(options.Qacct), options.Qacct),
                (nameof(options.Qdel), options.Qdel), (nameof(options.Qhost), options.Qhost),
            ], Error);
        BatchBackendOptionsChecks.Check(options, Error);
        BatchBackendOptionsChecks.CheckTemplate(options.ScriptTemplate, "qsub", template => GridEngineScript.Render(new GridEngineScriptInput
        {
            Common = new JobScriptInput
            {
                Template = template,
                JobName = "check",
                JobDirectory = "/tmp",
                OutputFile = "/tmp/check-$JOB_ID.out",
                Command = ["true"],
            },
        }), Error);
        foreach (var extra in options.ExtraQsubOptions)
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsControl))
            {
                Error(nameof(options.ExtraQsubOptions), $"item '{extra}' must be one option starting with '-', on one line.");
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

    private static void CheckResources(string key, GridEngineResources resources, Action<string, string> error)
    {
        foreach (var (field, value) in new[] { ("Queue", resources.Queue), ("ParallelEnvironment", resources.ParallelEnvironment) })
        {
            if (value is not null && !GridEngineValues.IsSafeText(value))
            {
                error($"{key}:{field}", $"may only contain {GridEngineValues.SafeCharacters}.");
            }
        }
        if (resources.Slots is < 1)
        {
            error($"{key}:Slots", "must be at least 1.");
        }
        if ((resources.ParallelEnvironment is null) != (resources.Slots is null))
        {
            error($"{key}:ParallelEnvironment", "and Slots go together: set both or neither.");
        }
        if (resources.Memory is not null && !BatchValues.TryParseMemoryMb(resources.Memory, out _))
        {
            error($"{key}:Memory", $"'{resources.Memory}' is not a memory size such as 4096 or 4G.");
        }
        if (resources.Time is not null && !BatchValues.TryParseTimeMinutes(resources.Time, out _))
        {
            error($"{key}:Time", $"'{resources.Time}' is not a time limit such as 90 or 8:00:00.");
        }
    }

    private static void CheckAllowed(string key, GridEngineAllowed allowed, Action<string, string> error)
    {
        BatchBackendOptionsChecks.CheckTextRules(key,
            [("Queue", allowed.Queue), ("ParallelEnvironment", allowed.ParallelEnvironment)],
            GridEngineValues.IsSafeText, GridEngineValues.SafeCharacters, error);
        BatchBackendOptionsChecks.CheckRangeRules(key,
            [("Slots", allowed.Slots), ("MemoryMb", allowed.MemoryMb), ("TimeMinutes", allowed.TimeMinutes)], error);
    }
}
