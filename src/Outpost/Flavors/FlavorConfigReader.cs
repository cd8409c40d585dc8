using System.Globalization;
using System.Text.Json.Nodes;

namespace Outpost.Flavors;

/// <summary>
/// Reads <c>Outpost:Flavors</c> into a <see cref="FlavorConfig"/>, collecting every error with its key.
/// Configuration values are text; numbers and booleans are recognised so flavor definitions go back
/// to hubs with the types they were written with.
/// </summary>
public static class FlavorConfigReader
{
    public const string SectionPath = "Outpost:Flavors";
    private static readonly HashSet<string> RuntimeUnits = new(StringComparer.OrdinalIgnoreCase) { "weeks", "days", "hours", "minutes", "seconds" };

    public static ParsedFlavorConfig Read(IConfigurationSection section)
    {
        var errors = new List<string>();
        var flavors = new List<KeyValuePair<string, JsonObject>>();
        foreach (var flavor in Children(section, "Flavors"))
        {
            var definition = ToObject(flavor);
            CheckDefinition(definition, flavor.Path, errors);
            flavors.Add(new(flavor.Key, definition));
        }
        var names = flavors.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);

        var hubSets = new List<HubFlavorSet>();
        foreach (var set in Children(section, "Hubs"))
        {
            var hubs = ReadPattern(set, "jupyterhub_name");
            if (hubs is null)
            {
                errors.Add($"{set.Path}:jupyterhub_name is required (a list of hub names or a pattern).");
                continue;
            }
            hubSets.Add(new HubFlavorSet(set.Key, hubs, ReadInt(set, "weight", 0, errors),
                ReadFlavorList(set, names, errors), ReadOverrides(set, names, errors)));
        }

        var userSets = new List<UserFlavorSet>();
        foreach (var set in Children(section, "Users"))
        {
            var authentication = new Dictionary<string, NamePattern>(StringComparer.Ordinal);
            foreach (var key in Children(set, "authentication"))
            {
                if (ReadPattern(set.GetSection("authentication"), key.Key) is { } pattern)
                {
                    authentication[key.Key] = pattern;
                }
            }
            var hubs = HasChild(set, "hubs") ? ReadStrings(set.GetSection("hubs")) : null;
            userSets.Add(new UserFlavorSet(set.Key, hubs, authentication,
                ReadBool(set, "negate_authentication", errors), ReadInt(set, "weight", 0, errors), ReadBool(set, "forbidden", errors),
                ReadFlavorList(set, names, errors), ReadOverrides(set, names, errors)));
        }

        var globalMax = ReadInt(section, "GlobalMaxPerUser", -1, errors);
        if (globalMax < -1)
        {
            errors.Add($"{SectionPath}:GlobalMaxPerUser must be -1 (unlimited) or a count (got {globalMax}).");
        }
        return new ParsedFlavorConfig(new FlavorConfig(flavors, hubSets, userSets, globalMax), errors);
    }

    /// <summary>The runtime of a flavor definition, or null when it has none.</summary>
    public static TimeSpan? Runtime(JsonObject definition)
    {
        if (definition["runtime"] is not JsonObject runtime)
        {
            return null;
        }
        var total = TimeSpan.Zero;
        foreach (var (unit, value) in runtime)
        {
            var amount = value?.GetValue<long>() ?? 0;
            total += unit.ToLowerInvariant() switch
            {
                "weeks" => TimeSpan.FromDays(7 * amount),
                "days" => TimeSpan.FromDays(amount),
                "hours" => TimeSpan.FromHours(amount),
                "minutes" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }
        return total > TimeSpan.Zero ? total : null;
    }

    /// <summary>An integer setting of a definition (<c>max</c>, <c>maxPerUser</c>), or <paramref name="fallback"/>.</summary>
    public static int Number(JsonObject definition, string key, int fallback) =>
        definition[key] is JsonValue value && value.TryGetValue<long>(out var number) ? (int)number : fallback;

    private static void CheckDefinition(JsonObject definition, string path, List<string> errors)
    {
        foreach (var key in new[] { "max", "maxPerUser", "weight" })
        {
            if (definition.TryGetPropertyValue(key, out var node) && !(node is JsonValue value && value.TryGetValue<long>(out var number) && number is >= int.MinValue and <= int.MaxValue))
            {
                errors.Add($"{path}:{key} must be a whole number.");
            }
        }
        if (Number(definition, "max", -1) < -1)
        {
            errors.Add($"{path}:max must be -1 (unlimited) or a count.");
        }
        if (Number(definition, "maxPerUser", 0) < 0)
        {
            errors.Add($"{path}:maxPerUser must be 0 (unlimited) or a count.");
        }
        if (definition.ContainsKey("runtime"))
        {
            if (definition["runtime"] is not JsonObject runtime)
            {
                errors.Add($"{path}:runtime must be a map of weeks, days, hours, minutes or seconds.");
            }
            else
            {
                var valid = true;
                foreach (var (unit, value) in runtime)
                {
                    if (!RuntimeUnits.Contains(unit) || value is not JsonValue amount || !amount.TryGetValue<long>(out var n) || n < 0)
                    {
                        errors.Add($"{path}:runtime:{unit} must be one of weeks, days, hours, minutes, seconds with a whole number ≥ 0.");
                        valid = false;
                    }
                }
                if (valid)
                {
                    try
                    {
                        Runtime(definition);
                    }
                    catch (OverflowException)
                    {
                        errors.Add($"{path}:runtime is too long.");
                    }
                }
            }
        }
    }

    private static IReadOnlyList<string>? ReadFlavorList(IConfigurationSection set, HashSet<string> names, List<string> errors)
    {
        if (!HasChild(set, "flavors"))
        {
            return null;
        }
        var list = ReadStrings(set.GetSection("flavors"));
        foreach (var name in list.Where(n => !names.Contains(n)))
        {
            errors.Add($"{set.Path}:flavors names '{name}', which is not defined under {SectionPath}:Flavors.");
        }
        return list;
    }

    private static Dictionary<string, JsonObject> ReadOverrides(IConfigurationSection set, HashSet<string> names, List<string> errors)
    {
        var overrides = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var entry in Children(set, "flavorsOverride"))
        {
            if (!names.Contains(entry.Key))
            {
                errors.Add($"{entry.Path}: '{entry.Key}' is not defined under {SectionPath}:Flavors.");
                continue;
            }
            var definition = ToObject(entry);
            CheckDefinition(definition, entry.Path, errors);
            overrides[entry.Key] = definition;
        }
        return overrides;
    }

    private static NamePattern? ReadPattern(IConfigurationSection parent, string key)
    {
        var section = parent.GetSection(key);
        if (section.Value is { } single)
        {
            return NamePattern.Pattern(single);
        }
        if (HasChild(parent, key))
        {
            return NamePattern.List(ReadStrings(section));
        }
        return null;
    }

    private static List<string> ReadStrings(IConfigurationSection section) =>
        section.Value is { Length: > 0 } single ? [single] : [.. section.GetChildren().OrderBy(c => Index(c.Key)).Select(c => c.Value ?? "")];

    private static int ReadInt(IConfigurationSection parent, string key, int fallback, List<string> errors)
    {
        var value = parent[key];
        if (value is null)
        {
            return fallback;
        }
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        errors.Add($"{parent.Path}:{key} must be a whole number (got '{value}').");
        return fallback;
    }

    private static bool ReadBool(IConfigurationSection parent, string key, List<string> errors)
    {
        var value = parent[key];
        if (value is null)
        {
            return false;
        }
        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }
        errors.Add($"{parent.Path}:{key} must be true or false (got '{value}').");
        return false;
    }

    private static IEnumerable<IConfigurationSection> Children(IConfigurationSection parent, string key) =>
        parent.GetSection(key).GetChildren();

    /// <summary>Whether a key is present, even as an empty list (which configuration keeps only as a key without value).</summary>
    private static bool HasChild(IConfigurationSection parent, string key) =>
        parent.GetChildren().Any(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));

    private static JsonObject ToObject(IConfigurationSection section)
    {
        var result = new JsonObject();
        foreach (var child in section.GetChildren())
        {
            result[child.Key] = ToNode(child);
        }
        return result;
    }

    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : ToValue(section.Value);
        }
        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            return new JsonArray([.. children.OrderBy(c => Index(c.Key)).Select(ToNode)]);
        }
        var result = new JsonObject();
        foreach (var child in children)
        {
            result[child.Key] = ToNode(child);
        }
        return result;
    }

    private static JsonNode ToValue(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Contains('.') ? JsonValue.Create(real)
        : bool.TryParse(text, out var flag) ? JsonValue.Create(flag)
        : JsonValue.Create(text);

    private static int Index(string key) => int.TryParse(key, out var index) ? index : int.MaxValue;
}
