using System.Text.RegularExpressions;

namespace Outpost.Backends.Batch;

/// <summary>Checks of values every batch scheduler's scripts and commands share.</summary>
internal static partial class BatchValues
{
    /// <summary>A path that can stand in a directive line without quoting (<c>%</c> and <c>$</c>-free; <c>%</c> for Slurm's patterns like <c>%j</c>).</summary>
    public static bool IsSafePath(string value) => value.StartsWith('/') && SafePath().IsMatch(value);

    public static bool IsEnvName(string value) => EnvName().IsMatch(value);

    public static bool IsJobId(string value) => JobId().IsMatch(value);

    public static bool IsHostName(string value) => HostName().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9_.,:=+@%/-]{1,1024}$")]
    private static partial Regex SafePath();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^[0-9]{1,18}$")]
    private static partial Regex JobId();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$")]
    private static partial Regex HostName();
}
