using System.Globalization;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Memory sizes as JupyterHub's <c>mem_limit</c> reads them: a number of bytes, or a number with K, M, G or T, which
/// JupyterHub takes as powers of 1024. Kubernetes' binary suffixes (Ki, Mi, Gi, Ti) are accepted too.
/// The result is written for Kubernetes as a plain byte count.
/// </summary>
public static partial class ByteQuantity
{
    /// <summary>The size in bytes, or null when <paramref name="text"/> is not a size.</summary>
    public static long? TryParse(string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }
        var factor = match.Groups["unit"].Value.TrimEnd('i', 'B') switch
        {
            "" => 1L,
            "K" or "k" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            "T" => 1L << 40,
            _ => 0L,
        };
        var bytes = number * factor;
        return factor == 0 || bytes > long.MaxValue ? null : (long)Math.Round(bytes);
    }

    /// <summary>The Kubernetes quantity for a valid size (a byte count); throws for an invalid one.</summary>
    public static string ToQuantity(string text) =>
        (TryParse(text) ?? throw new FormatException($"'{text}' is not a memory size.")).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^(?<n>[0-9]+(\\.[0-9]+)?)\\s*(?<unit>|[KkMGT]|[KMGT]i|[KMGT]B)$")]
    private static partial Regex Pattern();
}
