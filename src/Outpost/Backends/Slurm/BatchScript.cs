using System.Globalization;
using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Renders the sbatch script: a pure function of a <see cref="BatchScriptInput"/>, through <see cref="JobScript"/>
/// with the <c>#SBATCH</c> lines as <c>{{sbatch}}</c>. Values from hubs and users never enter the text: resources arrive
/// already checked against a narrow character set (checked again here), the job's variables travel through
/// sbatch's environment and are only named in <c>--export</c>, and the command's words are single-quoted.
/// A line that holds nothing but a placeholder which renders empty is dropped.
/// </summary>
public static class BatchScript
{
    /// <summary>The default template.</summary>
    public const string DefaultTemplate =
        """
        #!/bin/bash
        {{sbatch}}
        set -eu
        {{setup}}
        {{prologue}}
        {{command}}
        {{epilogue}}
        """;

    /// <summary>The placeholders a template may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["sbatch", "setup", "prologue", "command", "epilogue"];

    /// <summary>The fixed internal_ssl lines (<see cref="JobScript.SslSetup"/>).</summary>
    internal const string SslSetup = JobScript.SslSetup;

    /// <summary>Renders the script. Throws <see cref="ArgumentException"/> for an unsafe value or an unknown placeholder.</summary>
    public static string Render(BatchScriptInput input) =>
        JobScript.Render(
            new JobScriptInput
            {
                Template = input.Template,
                JobName = input.JobName,
                JobDirectory = input.JobDirectory,
                OutputFile = input.OutputFile,
                ExportNames = input.ExportNames,
                Command = input.Command,
                Prologue = input.Prologue,
                Epilogue = input.Epilogue,
                InternalSsl = input.InternalSsl,
                DelayedTunnel = input.DelayedTunnel,
                Python = input.Python,
            },
            "sbatch",
            SbatchLines(input),
            SlurmScheduler.NodeVariableName);

    /// <summary>Whether <paramref name="template"/> uses the placeholder <paramref name="name"/>.</summary>
    public static bool Uses(string template, string name) => JobScript.Uses(template, name);

    /// <summary>Quotes one word for a POSIX shell (<see cref="JobScript.Quote"/>).</summary>
    public static string Quote(string word) => JobScript.Quote(word);

    private static string SbatchLines(BatchScriptInput input)
    {
        var r = input.Resources;
        var lines = new List<string>
        {
            Option("job-name", Text(input.JobName)),
            Option("chdir", Path(input.JobDirectory)),
            Option("output", Path(input.OutputFile)),
        };
        if (input.ExportNames.Count > 0)
        {
            lines.Add(Option("export", string.Join(',', JobScript.CheckedNames(input.ExportNames))));
        }
        else
        {
            lines.Add(Option("export", "NONE"));
        }
        AddText(lines, "partition", r.Partition);
        AddText(lines, "account", r.Account);
        AddText(lines, "qos", r.Qos);
        AddText(lines, "reservation", r.Reservation);
        AddText(lines, "constraint", r.Constraint);
        AddText(lines, "gres", r.Gres);
        AddNumber(lines, "gpus", r.Gpus, "");
        AddNumber(lines, "nodes", r.Nodes, "");
        AddNumber(lines, "cpus-per-task", r.Cpus, "");
        AddNumber(lines, "mem", r.MemoryMb, "M");
        AddNumber(lines, "time", r.TimeMinutes, "");
        foreach (var extra in input.ExtraOptions)
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsControl))
            {
                throw new ArgumentException($"extra sbatch option '{extra}' must be one option starting with '-'", nameof(input));
            }
            lines.Add("#SBATCH " + extra);
        }
        return string.Join('\n', lines);
    }

    private static void AddText(List<string> lines, string name, string? value)
    {
        if (value is not null)
        {
            lines.Add(Option(name, Text(value)));
        }
    }

    private static void AddNumber(List<string> lines, string name, long? value, string suffix)
    {
        if (value is { } number)
        {
            if (number < 0)
            {
                throw new ArgumentException($"--{name} must not be negative");
            }
            lines.Add(Option(name, number.ToString(CultureInfo.InvariantCulture) + suffix));
        }
    }

    private static string Option(string name, string value) => $"#SBATCH --{name}={value}";

    private static string Text(string value) =>
        SlurmValues.IsSafeText(value) ? value : throw new ArgumentException($"unsafe value for an #SBATCH line: only {SlurmValues.SafeCharacters} are allowed");

    private static string Path(string value) => JobScript.CheckedPath(value);
}
