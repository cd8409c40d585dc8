using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Outpost.Hubs;

/// <summary>
/// A constraint on one value a hub sends (<c>misc</c> or <c>user_options</c>): one of a list, a full
/// match of a pattern, and/or a number in a range. Every set condition must hold.
/// </summary>
public sealed class ValueRule
{
    /// <summary>The value (as text) must be one of these. Default: any.</summary>
    public string[]? Allowed { get; set; }

    /// <summary>A regular expression the whole value (a string) must match. Default: any.</summary>
    public string? Pattern { get; set; }

    /// <summary>Smallest allowed number. Default: no lower bound.</summary>
    public double? Min { get; set; }

    /// <summary>Largest allowed number. Default: no upper bound.</summary>
    public double? Max { get; set; }

    /// <summary>Why <paramref name="value"/> breaks the rule, or null when it satisfies it.</summary>
    public string? Check(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
        if (text is null)
        {
            return "must be a string, number or boolean";
        }
        if (Allowed is { } allowed && !allowed.Contains(text, StringComparer.Ordinal))
        {
            return $"must be one of {string.Join(", ", allowed)}";
        }
        if (Pattern is { } pattern && (value.ValueKind != JsonValueKind.String || !FullMatch(pattern, text)))
        {
            return $"must match {pattern}";
        }
        if (Min is not null || Max is not null)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number))
            {
                return "must be a number";
            }
            if (number < (Min ?? double.MinValue) || number > (Max ?? double.MaxValue))
            {
                return $"must be between {Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"} and {Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}";
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="pattern"/> is a valid regular expression (checked at start-up).</summary>
    public static bool IsValidPattern(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A full match; a match that takes too long counts as no match.</summary>
    private static bool FullMatch(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, $@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
