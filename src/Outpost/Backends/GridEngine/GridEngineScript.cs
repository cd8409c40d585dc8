using System.Globalization;
using Outpost.Backends.Batch;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Renders the qsub script through <see cref="JobScript"/>, with the <c>#$</c> lines as <c>{{qsub}}</c>. Grid Engine
/// reads those lines itself (no shell), word by word, so every value in them is checked against a narrow character
/// set. The job's variables are only named (<c>-v NAME,…</c>): Grid Engine copies their values from qsub's own
/// environment, so they never appear on an argument list.
/// </summary>
public static class GridEngineScript
{
    /// <summary>The default template.</summary>
    public const string DefaultTemplate =
        """
        #!/bin/bash
        {{qsub}}
        set -eu
        {{setup}}
        {{prologue}}
        {{command}}
        {{epilogue}}
        """;

    /// <summary>The variable Grid Engine sets in a job to its execution host's name.</summary>
    public const string NodeVariable = "HOSTNAME";

    /// <summary>What Grid Engine replaces by the job id in an output path.</summary>
    public const string JobIdPattern = "$JOB_ID";

    /// <summary>Renders the script. Throws <see cref="ArgumentException"/> for an unsafe value or an unknown placeholder.</summary>
    public static string Render(GridEngineScriptInput input) =>
        JobScript.Render(input.Common, "qsub", QsubLines(input), NodeVariable);

    private static string QsubLines(GridEngineScriptInput input)
    {
        var common = input.Common;
        var r = input.Resources;
        var lines = new List<string>();
        // Without -S, a queue in posix_compliant mode (the default) runs the script with its own shell (csh on many sites).
        if (Interpreter(common.Template) is { } shell)
        {
            lines.Add($"#$ -S {shell}");
        }
        lines.Add($"#$ -N {JobName(common.JobName)}");
        lines.Add($"#$ -wd {JobScript.CheckedPath(common.JobDirectory)}");
        lines.Add($"#$ -o {OutputPath(common.OutputFile)}");
        lines.Add("#$ -j y");
        if (common.ExportNames.Count > 0)
        {
            lines.Add($"#$ -v {string.Join(',', JobScript.CheckedNames(common.ExportNames))}");
        }
        if (common.InternalSsl)
        {
            // qdel kills with SIGKILL unless the job asked to be warned: SIGUSR2 first lets it remove its certificates.
            lines.Add("#$ -notify");
        }
        if (r.Queue is not null)
        {
            lines.Add($"#$ -q {Text(r.Queue)}");
        }
        if (r.ParallelEnvironment is not null || r.Slots is not null)
        {
            if (r.ParallelEnvironment is null || r.Slots is not { } slots || slots < 1)
            {
                throw new ArgumentException("-pe needs both a parallel environment and a positive number of slots");
            }
            lines.Add($"#$ -pe {Text(r.ParallelEnvironment)} {slots.ToString(CultureInfo.InvariantCulture)}");
        }
        if (r.MemoryMb is { } memory)
        {
            lines.Add($"#$ -l h_vmem={Positive(memory, "h_vmem")}M");
        }
        if (r.TimeMinutes is { } minutes)
        {
            lines.Add($"#$ -l h_rt={Positive(minutes, "h_rt") * 60}");
        }
        foreach (var extra in input.ExtraOptions)
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsControl))
            {
                throw new ArgumentException($"extra qsub option '{extra}' must be one option starting with '-'", nameof(input));
            }
            lines.Add("#$ " + extra);
        }
        return string.Join('\n', lines);
    }

    /// <summary>The template's interpreter (its <c>#!</c> line) when it is a plain absolute path.</summary>
    internal static string? Interpreter(string template)
    {
        var first = template.ReplaceLineEndings("\n").Split('\n')[0];
        if (!first.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }
        var words = first[2..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 1 && BatchValues.IsSafePath(words[0]) ? words[0] : null;
    }

    private static string JobName(string name) =>
        name.Length is > 0 and <= 200 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            ? name
            : throw new ArgumentException($"'{name}' cannot be a Grid Engine job name");

    private static string OutputPath(string path)
    {
        JobScript.CheckedPath(path.Replace(JobIdPattern, "0", StringComparison.Ordinal));
        return path;
    }

    private static string Text(string value) =>
        GridEngineValues.IsSafeText(value) ? value : throw new ArgumentException($"unsafe value for a #$ line: only {GridEngineValues.SafeCharacters} are allowed");

    private static long Positive(long value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be positive");
}
