using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Outpost.Backends.Slurm;

/// <summary>Checks the Slurm backend's options at start-up and names every bad key.</summary>
public sealed class SlurmBackendOptionsValidator : IValidateOptions<SlurmBackendOptions>
{
    private const string Prefix = "Outpost:Backends:Slurm";

    public ValidateOptionsResult Validate(string? name, SlurmBackendOptions options)
    {
        var errors = new List<string>();
        void Error(string key, string message) => errors.Add($"{Prefix}:{key} {message}");

        foreach (var (key, value) in new[]
                 {
                     (nameof(options.Sbatch), options.Sbatch), (nameof(options.Squeue), options.Squeue),
                     (nameof(options.Sacct), options.Sacct), (nameof(options.Scancel), options.Scancel),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Error(key, "must name a program.");
            }
        }
        CheckWords(nameof(options.ExecPrefix), options.ExecPrefix, allowEmptyList: true, Error);
        CheckWords(nameof(options.QueryExecPrefix), options.QueryExecPrefix, allowEmptyList: true, Error);
        CheckWords(nameof(options.Command), options.Command, allowEmptyList: true, Error);
        CheckWords(nameof(options.Args), options.Args, allowEmptyList: true, Error);
        CheckNames(nameof(options.CommandEnvironment), options.CommandEnvironment, Error);
        CheckNames(nameof(options.JobEnvironment), options.JobEnvironment, Error);
        Range(nameof(options.CommandTimeoutSeconds), options.CommandTimeoutSeconds, 1, 3600, Error);

        var userPattern = CompiledPattern(nameof(options.SystemUserPattern), options.SystemUserPattern, Error);
        if (userPattern is not null)
        {
            foreach (var (hubUser, systemUser) in options.UserMap)
            {
                if (!userPattern.IsMatch(systemUser))
                {
                    Error($"UserMap:{hubUser}", $"'{systemUser}' does not match SystemUserPattern.");
                }
            }
        }
        if (string.IsNullOrWhiteSpace(options.SystemUser))
        {
            Error(nameof(options.SystemUser), "must not be empty.");
        }

        CheckTemplate(options, Error);
        foreach (var extra in options.ExtraSbatchOptions)
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsControl))
            {
                Error(nameof(options.ExtraSbatchOptions), $"item '{extra}' must be one option starting with '-', on one line.");
            }
        }
        var sampleDirectory = options.JobDirectory.Replace("{username}", "user", StringComparison.Ordinal)
            .Replace("{workdir}", "/var/lib/outpost/work", StringComparison.Ordinal);
        if (!SlurmValues.IsSafePath(sampleDirectory))
        {
            Error(nameof(options.JobDirectory), "must be an absolute path (or start with {workdir}) without blanks, quotes or special characters.");
        }
        if (options.BindAddress.Length > 0
            && (!IPAddress.TryParse(options.BindAddress, out var bind) || bind.AddressFamily != AddressFamily.InterNetwork))
        {
            Error(nameof(options.BindAddress), $"'{options.BindAddress}' must be empty or an IPv4 address.");
        }
        Range(nameof(options.PortRangeStart), options.PortRangeStart, 1024, 65535, Error);
        Range(nameof(options.PortRangeEnd), options.PortRangeEnd, 1024, 65535, Error);
        if (options.PortRangeEnd < options.PortRangeStart)
        {
            Error(nameof(options.PortRangeEnd), $"({options.PortRangeEnd}) must not be below PortRangeStart ({options.PortRangeStart}).");
        }
        if (options.DelayedTunnel && string.IsNullOrWhiteSpace(options.Python))
        {
            Error(nameof(options.Python), "must name an interpreter when DelayedTunnel is on.");
        }
        if (options.PollIntervalSeconds is < 0.05 or > 300)
        {
            Error(nameof(options.PollIntervalSeconds), $"must be between 0.05 and 300 (got {options.PollIntervalSeconds}).");
        }
        if (options.QueryRetryDelaySeconds is < 0 or > 300)
        {
            Error(nameof(options.QueryRetryDelaySeconds), $"must be between 0 and 300 (got {options.QueryRetryDelaySeconds}).");
        }
        Range(nameof(options.StartTimeoutSeconds), options.StartTimeoutSeconds, 1, 7 * 24 * 3600, Error);
        Range(nameof(options.StopTimeoutSeconds), options.StopTimeoutSeconds, 1, 3600, Error);
        Range(nameof(options.QueryAttempts), options.QueryAttempts, 1, 20, Error);

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

    private static void CheckTemplate(SlurmBackendOptions options, Action<string, string> error)
    {
        var template = options.ScriptTemplate;
        if (!template.StartsWith("#!", StringComparison.Ordinal))
        {
            error(nameof(options.ScriptTemplate), "must start with an interpreter line such as '#!/bin/bash'.");
        }
        foreach (var required in new[] { "{{sbatch}}", "{{command}}" })
        {
            if (!template.Contains(required, StringComparison.Ordinal))
            {
                error(nameof(options.ScriptTemplate), $"must contain {required}.");
            }
        }
        try
        {
            BatchScript.Render(new BatchScriptInput
            {
                Template = template,
                JobName = "check",
                JobDirectory = "/tmp",
                OutputFile = "/tmp/check-%j.out",
                Command = ["true"],
            });
        }
        catch (ArgumentException e)
        {
            error(nameof(options.ScriptTemplate), e.Message + ".");
        }
    }

    private static void CheckWords(string key, string[] words, bool allowEmptyList, Action<string, string> error)
    {
        if (!allowEmptyList && words.Length == 0)
        {
            error(key, "must list at least one word.");
        }
        if (words.Any(string.IsNullOrWhiteSpace))
        {
            error(key, "must not contain an empty word.");
        }
    }

    private static void CheckNames(string key, Dictionary<string, string> variables, Action<string, string> error)
    {
        foreach (var variable in variables.Keys)
        {
            if (!SlurmValues.IsEnvName(variable))
            {
                error($"{key}:{variable}", "is not a valid variable name.");
            }
        }
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
        foreach (var (field, rule) in new[]
                 {
                     ("Partition", allowed.Partition), ("Account", allowed.Account), ("Qos", allowed.Qos),
                     ("Reservation", allowed.Reservation), ("Constraint", allowed.Constraint), ("Gres", allowed.Gres),
                 })
        {
            foreach (var value in rule.Values.Where(v => !SlurmValues.IsSafeText(v)))
            {
                error($"{key}:{field}:Values", $"item '{value}' may only contain {SlurmValues.SafeCharacters}.");
            }
            if (!string.IsNullOrEmpty(rule.Pattern))
            {
                CompiledPattern($"{key}:{field}:Pattern", rule.Pattern, error);
            }
        }
        foreach (var (field, rule) in new[]
                 {
                     ("Gpus", allowed.Gpus), ("Nodes", allowed.Nodes), ("Cpus", allowed.Cpus),
                     ("MemoryMb", allowed.MemoryMb), ("TimeMinutes", allowed.TimeMinutes),
                 })
        {
            if (rule.Min < 0)
            {
                error($"{key}:{field}:Min", "must not be negative.");
            }
            if (rule.Max is { } max && max < rule.Min)
            {
                error($"{key}:{field}:Max", $"({max}) must not be below Min ({rule.Min}).");
            }
        }
    }

    private static Regex? CompiledPattern(string key, string pattern, Action<string, string> error)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
        }
        catch (ArgumentException e)
        {
            error(key, $"is not a valid regular expression: {e.Message}");
            return null;
        }
    }

    private static void Range(string key, long value, long min, long max, Action<string, string> error)
    {
        if (value < min || value > max)
        {
            error(key, $"must be between {min} and {max} (got {value}).");
        }
    }
}
