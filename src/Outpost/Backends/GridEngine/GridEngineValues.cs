using System.Text.RegularExpressions;

namespace Outpost.Backends.GridEngine;

/// <summary>Checks of the names that may end up in a <c>#$</c> line.</summary>
internal static partial class GridEngineValues
{
    /// <summary>
    /// Characters a chosen queue or parallel-environment name may contain, whatever the rules allow: enough for
    /// "all.q", "all.q@node1", "all.q@*" and lists like "a.q,b.q"; no blanks, quotes, <c>$</c>, <c>#</c> or line breaks.
    /// </summary>
    public const string SafeCharacters = "letters, digits and _ . , @ * -";

    public static bool IsSafeText(string value) => SafeText().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9_.,@*-]{1,200}$")]
    private static partial Regex SafeText();
}
