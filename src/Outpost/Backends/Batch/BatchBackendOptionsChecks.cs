using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Batch;

/// <summary>
/// Start-up checks of the options every batch backend has. Each backend's validator calls <see cref="Check"/> and
/// adds its own; <c>error(key, message)</c> receives the key below the backend's section.
/// </summary>
public static class BatchBackendOptionsChecks
{
    public static void Check(BatchBackendOptions options, Action<string, string> error)
    {
        CheckWords(nameof(options.ExecPrefix), options.ExecPrefix, error);
        CheckWords(nameof(options.QueryExecPrefix), options.QueryExecPrefix, error);
        CheckWords(nameof(options.Command), options.Command, error);
        CheckWords(nameof(options.Args), options.Args, error);
        CheckNames(nameof(options.CommandEnvironment), options.CommandEnvironment, error);
        CheckNames(nameof(options.JobEnvironment), options.JobEnvironment, error);
        Range(nameof(options.CommandTimeoutSeconds), options.CommandTimeoutSeconds, 1, 3600, error);

        var userPattern = CompiledPattern(nameof(options.SystemUserPattern), options.SystemUserPattern, error);
        if (userPattern is not null)
        {
            foreach (var (hubUser, systemUser) in options.UserMap)
            {
                if (!userPattern.IsMatch(systemUser))
                {
                    error($"UserMap:{hubUser}", $"'{systemUser}' does not match SystemUserPattern.");
                }
            }
        }
        if (string.IsNullOrWhiteSpace(options.SystemUser))
        {
            error(nameof(options.SystemUser), "must not be empty.");
        }

        var sampleDirectory = options.JobDirectory.Replace("{username}", "user", StringComparison.Ordinal)
            .Replace("{workdir}", "/var/lib/outpost/work", StringComparison.Ordinal);
        if (!BatchValues.IsSafePath(sampleDirectory))
        {
            error(nameof(options.JobDirectory), "must be an absolute path (or start with {workdir}) without blanks, quotes or special characters.");
        }
        if (options.BindAddress.Length > 0
            && (!IPAddress.TryParse(options.BindAddress, out var bind) || bind.AddressFamily != AddressFamily.InterNetwork))
        {
            error(nameof(options.BindAddress), $"'{options.BindAddress}' must be empty or an IPv4 address.");
        }
        Range(nameof(options.PortRangeStart), options.PortRangeStart, 1024, 65535, error);
        Range(nameof(options.PortRangeEnd), options.PortRangeEnd, 1024, 65535, error);
        if (options.PortRangeEnd < options.PortRangeStart)
        {
            error(nameof(options.PortRangeEnd), $"({options.PortRangeEnd}) must not be below PortRangeStart ({options.PortRangeStart}).");
        }
        if (options.DelayedTunnel && string.IsNullOrWhiteSpace(options.Python))
        {
            error(nameof(options.Python), "must name an interpreter when DelayedTunnel is on.");
        }
        if (options.PollIntervalSeconds is < 0.05 or > 300)
        {
            error(nameof(options.PollIntervalSeconds), $"must be between 0.05 and 300 (got {options.PollIntervalSeconds}).");
        }
        if (options.QueryRetryDelaySeconds is < 0 or > 300)
        {
            error(nameof(options.QueryRetryDelaySeconds), $"must be between 0 and 300 (got {options.QueryRetryDelaySeconds}).");
        }
        Range(nameof(options.StartTimeoutSeconds), options.StartTimeoutSeconds, 1, 7 * 24 * 3600, error);
        Range(nameof(options.StopTimeoutSeconds), options.StopTimeoutSeconds, 1, 3600, error);
        Range(nameof(options.QueryAttempts), options.QueryAttempts, 1, 20, error);
    }

    /// <summary>Checks that each named program is set.</summary>
    public static void CheckPrograms(IEnumerable<(string Key, string Value)> programs, Action<string, string> error)
    {
        foreach (var (key, value) in programs)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                error(key, "must name a program.");
            }
        }
    }

    /// <summary>
    /// Checks the script template: an interpreter line, the required placeholders, and that it renders
    /// (<paramref name="render"/> throws <see cref="ArgumentException"/> for an unknown placeholder).
    /// </summary>
    public static void CheckTemplate(string template, string directivesPlaceholder, Action<string> render, Action<string, string> error)
    {
        const string key = nameof(BatchBackendOptions.ScriptTemplate);
        if (!template.StartsWith("#!", StringComparison.Ordinal))
        {
            error(key, "must start with an interpreter line such as '#!/bin/bash'.");
        }
        foreach (var required in new[] { $"{{{{{directivesPlaceholder}}}}}", "{{command}}" })
        {
            if (!template.Contains(required, StringComparison.Ordinal))
            {
                error(key, $"must contain {required}.");
            }
        }
        try
        {
            render(template);
        }
        catch (ArgumentException e)
        {
            error(key, e.Message + ".");
        }
    }

    public static Regex? CompiledPattern(string key, string pattern, Action<string, string> error)
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

    public static void CheckTextRules(string key, IEnumerable<(string Field, BatchTextRule Rule)> rules, Func<string, bool> isSafe, string safeCharacters, Action<string, string> error)
    {
        foreach (var (field, rule) in rules)
        {
            foreach (var value in rule.Values.Where(v => !isSafe(v)))
            {
                error($"{key}:{field}:Values", $"item '{value}' may only contain {safeCharacters}.");
            }
            if (!string.IsNullOrEmpty(rule.Pattern))
            {
                CompiledPattern($"{key}:{field}:Pattern", rule.Pattern, error);
            }
        }
    }

    public static void CheckRangeRules(string key, IEnumerable<(string Field, BatchRangeRule Rule)> rules, Action<string, string> error)
    {
        foreach (var (field, rule) in rules)
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

    public static void Range(string key, long value, long min, long max, Action<string, string> error)
    {
        if (value < min || value > max)
        {
            error(key, $"must be between {min} and {max} (got {value}).");
        }
    }

    private static void CheckWords(string key, string[] words, Action<string, string> error)
    {
        if (words.Any(string.IsNullOrWhiteSpace))
        {
            error(key, "must not contain an empty word.");
        }
    }

    private static void CheckNames(string key, Dictionary<string, string> variables, Action<string, string> error)
    {
        foreach (var variable in variables.Keys)
        {
            if (!BatchValues.IsEnvName(variable))
            {
                error($"{key}:{variable}", "is not a valid variable name.");
            }
        }
    }
}
