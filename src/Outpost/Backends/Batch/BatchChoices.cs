using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Batch;

/// <summary>
/// Checks one value a hub (<c>misc</c>) or user (<c>user_options</c>) chose against its allow-list rule. Any bad
/// value refuses the start with a <see cref="BackendException"/> that names the field (e.g. <c>user_options.queue</c>).
/// </summary>
public static class BatchChoices
{
    /// <summary>Parses a number written as text (a memory size, a time limit).</summary>
    public delegate bool Parser(string text, out long result);

    public static string Text(string field, JsonElement value, BatchTextRule rule, Func<string, bool> isSafe, string safeCharacters)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new BackendException($"{field} must be a text.");
        }
        var text = value.GetString()!;
        if (!isSafe(text))
        {
            throw new BackendException(
                $"{field} is refused: it may only contain {safeCharacters} (at most 200 characters).");
        }
        if (!rule.IsOpen)
        {
            throw new BackendException($"{field} may not be chosen on this Outpost.");
        }
        if (rule.Values.Contains(text, StringComparer.Ordinal) || MatchesPattern(rule.Pattern, text))
        {
            return text;
        }
        var choices = rule.Values.Length > 0 ? $" Allowed: {string.Join(", ", rule.Values)}." : "";
        throw new BackendException($"{field} '{text}' is not allowed on this Outpost.{choices}");
    }

    public static long Number(string field, JsonElement value, BatchRangeRule rule, string what, Parser? parser)
    {
        long number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            number = n;
        }
        else if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text
                 && (parser is not null ? parser(text, out number)
                     : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number)))
        {
        }
        else
        {
            throw new BackendException($"{field} is refused: it must be {what}.");
        }
        if (!rule.IsOpen)
        {
            throw new BackendException($"{field} may not be chosen on this Outpost.");
        }
        if (number < rule.Min || number > rule.Max)
        {
            throw new BackendException($"{field} {number} is outside the allowed range {rule.Min}–{rule.Max}.");
        }
        return number;
    }

    private static bool MatchesPattern(string? pattern, string text) =>
        !string.IsNullOrEmpty(pattern)
        && Regex.IsMatch(text, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
}
