namespace Outpost.Hosting;

/// <summary>The range check every options validator makes, with one wording for every key.</summary>
internal static class OptionRange
{
    /// <summary>Adds "<paramref name="key"/> must be between …" to <paramref name="errors"/> when the value is outside.</summary>
    public static void Check(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (got {value}).");
        }
    }
}
