using System.Text.RegularExpressions;
using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>Checks and parses the values that may end up in an <c>#SBATCH</c> line (paths and names: <see cref="BatchValues"/>).</summary>
internal static partial class SlurmValues
{
    /// <summary>Characters a chosen text may contain, whatever the rules allow: no blanks, quotes, <c>$</c>, <c>#</c>, <c>;</c> or line breaks.</summary>
    public const string SafeCharacters = "letters, digits and _ . , : = + @ & | ! * ( ) [ ] / -";

    public static bool IsSafeText(string value) => SafeText().IsMatch(value);

    /// <summary>Memory in MiB (<see cref="BatchValues.TryParseMemoryMb"/>).</summary>
    public static bool TryParseMemoryMb(string text, out long megabytes) => BatchValues.TryParseMemoryMb(text, out megabytes);

    /// <summary>A time limit in minutes (<see cref="BatchValues.TryParseTimeMinutes"/>).</summary>
    public static bool TryParseTimeMinutes(string text, out long minutes) => BatchValues.TryParseTimeMinutes(text, out minutes);

    [GeneratedRegex(@"^[A-Za-z0-9_.,:=+@&|!*()\[\]/-]{1,200}$")]
    private static partial Regex SafeText();
}
