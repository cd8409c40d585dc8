using System.Collections;

namespace Outpost.Hosting;

/// <summary>
/// The original JupyterHub Outpost's environment variables, read once at start-up and turned into our configuration
/// keys, so this Outpost can replace an original one with the inputs that one already has
/// (docs/migrate-from-outpost.md). Only variables that are set are read: the original's defaults are not assumed.
/// A key our own configuration already sets is left to it, so our settings win. Each bad value is an error naming
/// the variable. Values are never logged or printed; only variable names are.
/// </summary>
public sealed partial class OriginalOutpostSettings
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IConfiguration _ours;
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];

    private OriginalOutpostSettings(IReadOnlyDictionary<string, string> environment, IConfiguration ours)
    {
        _environment = environment;
        _ours = ours;
    }

    /// <summary>Our configuration keys with the values mapped from the original's variables.</summary>
    public IReadOnlyDictionary<string, string?> Values => _values;

    /// <summary>The original's variables that gave this Outpost a setting, by name.</summary>
    public IReadOnlyCollection<string> Used => _used;

    /// <summary>The original's variables that are set but give no setting here (unsupported, or ours is set).</summary>
    public IReadOnlyList<string> NotUsed =>
        [.. KnownVariables.Where(v => _environment.ContainsKey(v) && !_used.Contains(v)).Order(StringComparer.Ordinal)];

    /// <summary>Every bad value, each naming its variable; the Outpost does not start while there are any.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>The original's flavors file, when the flavors come from it.</summary>
    public string? FlavorsFile { get; private set; }

    /// <summary>Maps the variables in <paramref name="environment"/>, leaving keys that <paramref name="ours"/> sets alone.</summary>
    public static OriginalOutpostSettings Read(IReadOnlyDictionary<string, string> environment, IConfiguration ours)
    {
        var settings = new OriginalOutpostSettings(environment, ours);
        settings.ReadHubs();
        settings.ReadCleanup();
        settings.ReadStorage();
        settings.ReadFlavors();
        settings.ReadServing();
        return settings;
    }

    /// <summary>This process's environment (names are case-sensitive, as the original reads them: <c>usernames</c>).</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return environment;
    }

    private string? Get(string variable) => _environment.TryGetValue(variable, out var value) ? value : null;

    /// <summary>Sets <paramref name="key"/> from <paramref name="variable"/> unless our configuration sets it already.</summary>
    private bool Set(string variable, string key, string value)
    {
        if (_ours[key] is not null)
        {
            return false;
        }
        _values[key] = value;
        _used.Add(variable);
        return true;
    }

    private void Error(string variable, string reason) => _errors.Add($"{variable}: {reason}");

    /// <summary>A whole number of seconds from 1 to <paramref name="max"/>, or an error naming the variable.</summary>
    private int? Seconds(string variable, string value, int max)
    {
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds is >= 1 && seconds <= max)
        {
            return seconds;
        }
        Error(variable, $"must be a whole number of seconds from 1 to {max} (got '{value}').");
        return null;
    }
}
