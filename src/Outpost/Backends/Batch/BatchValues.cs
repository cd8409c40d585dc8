using System.Globalization;
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

    /// <summary>Memory in MiB from a number of MiB or a text such as "512", "512M", "4G", "1T".</summary>
    public static bool TryParseMemoryMb(string text, out long megabytes)
    {
        megabytes = 0;
        var match = Memory().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        var unit = match.Groups[2].Value.ToUpperInvariant();
        var factor = unit switch { "K" => 1.0 / 1024, "" or "M" => 1, "G" => 1024, "T" => 1024 * 1024, _ => 0 };
        var result = Math.Ceiling(amount * factor);
        if (result is < 1 or > long.MaxValue / 2)
        {
            return false;
        }
        megabytes = (long)result;
        return true;
    }

    /// <summary>A time limit in minutes from "90" (minutes), "HH:MM:SS", "MM:SS" or "D-HH[:MM[:SS]]"; seconds round up.</summary>
    public static bool TryParseTimeMinutes(string text, out long minutes)
    {
        minutes = 0;
        var match = Time().Match(text);
        if (!match.Success)
        {
            return false;
        }
        long Part(string name) => match.Groups[name].Success ? long.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        long seconds;
        if (match.Groups["days"].Success)
        {
            seconds = (((Part("days") * 24) + Part("dh")) * 60 + Part("dm")) * 60 + Part("ds");
        }
        else if (match.Groups["h"].Success)
        {
            seconds = ((Part("h") * 60) + Part("m")) * 60 + Part("s");
        }
        else if (match.Groups["ms"].Success)
        {
            seconds = Part("mm") * 60 + Part("ms");
        }
        else
        {
            seconds = Part("only") * 60;
        }
        minutes = (seconds + 59) / 60;
        return minutes > 0;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.,:=+@%/-]{1,1024}$")]
    private static partial Regex SafePath();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^[0-9]{1,18}$")]
    private static partial Regex JobId();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^([0-9]{1,12})([KkMmGgTt]?)$")]
    private static partial Regex Memory();

    [GeneratedRegex(@"^(?:(?<only>[0-9]{1,9})|(?<mm>[0-9]{1,9}):(?<ms>[0-9]{1,2})|(?<h>[0-9]{1,7}):(?<m>[0-9]{1,2}):(?<s>[0-9]{1,2})|(?<days>[0-9]{1,5})-(?<dh>[0-9]{1,2})(?::(?<dm>[0-9]{1,2})(?::(?<ds>[0-9]{1,2}))?)?)$")]
    private static partial Regex Time();
}
