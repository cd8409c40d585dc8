using System.Text.Json;
using System.Text.RegularExpressions;

namespace Outpost.Servers;

/// <summary>
/// Reads a <c>POST /services</c> body into a <see cref="ServerSpec"/>, collecting every invalid field.
/// Fields the original accepted but must not be client-controlled (<c>state</c>, <c>end_date</c>,
/// <c>stop_pending</c> …) and the top-level <c>start_id</c> are ignored.
/// </summary>
public static partial class StartRequestReader
{
    private const int MaxNameLength = 255;
    private const int MaxEnvEntries = 512;
    private const int MaxValueLength = 64 * 1024;

    /// <summary>Most field errors an answer lists: a body of 100,000 bad members must not get a 30 MB answer.</summary>
    private const int MaxReported = 50;

    public static StartRequestResult Read(JsonElement body)
    {
        var errors = new List<FieldError>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Error("model_type", "The body must be a JSON object.", "body"));
            return new StartRequestResult.Invalid(errors);
        }

        var name = ReadName(body, errors);
        var env = ReadEnv(body, errors);
        var userOptions = ReadObject(body, "user_options", errors);
        var misc = ReadObject(body, "misc", errors);
        var certs = ReadCerts(body, errors);
        var startId = ReadStartId(userOptions, errors);
        var flavor = ReadOptionalString(body, "flavor", errors);
        // Like the original's `user_options.flavor or flavor`: a null or empty user_options.flavor keeps the body's flavor.
        if (userOptions.TryGetValue("flavor", out var optionFlavor) && optionFlavor.ValueKind != JsonValueKind.Null)
        {
            var value = optionFlavor.ValueKind == JsonValueKind.String ? optionFlavor.GetString() : Invalid(errors, "string_type", "must be a string", "user_options", "flavor");
            flavor = string.IsNullOrEmpty(value) ? flavor : value;
        }
        string? profile = null;
        if (userOptions.TryGetValue("profile", out var optionProfile) && optionProfile.ValueKind != JsonValueKind.Null)
        {
            profile = optionProfile.ValueKind == JsonValueKind.String ? optionProfile.GetString() : Invalid(errors, "string_type", "must be a string", "user_options", "profile");
        }
        if (body.TryGetProperty("authentication", out var auth) && auth.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            errors.Add(Error("dict_type", "must be an object", "body", "authentication"));
        }
        if (errors.Count > 0)
        {
            return new StartRequestResult.Invalid(errors.Count > MaxReported ? errors[..MaxReported] : errors);
        }

        userOptions.Remove("start_id");
        env.Remove(HubEnv.FlavorsUpdateUrl, out var flavorsUpdateUrl);
        env.Remove(HubEnv.FlavorsUpdateToken, out var flavorsUpdateToken);
        env.Remove(HubEnv.RecreateForwardUrl, out var recreateForwardUrl);
        return new StartRequestResult.Valid(new ServerSpec
        {
            RecreateForwardUrl = recreateForwardUrl,
            FlavorsUpdateUrl = flavorsUpdateUrl,
            FlavorsUpdateToken = flavorsUpdateToken,
            Name = name!,
            StartId = startId,
            Env = env,
            UserOptions = userOptions,
            Misc = misc,
            Certs = certs,
            Flavor = string.IsNullOrEmpty(flavor) ? null : flavor,
            Profile = string.IsNullOrEmpty(profile) ? null : profile,
        });
    }

    private static string? ReadName(JsonElement body, List<FieldError> errors)
    {
        if (!body.TryGetProperty("name", out var name))
        {
            errors.Add(Error("missing", "Field required", "body", "name"));
            return null;
        }
        if (name.ValueKind != JsonValueKind.String)
        {
            return Invalid(errors, "string_type", "must be a string", "name");
        }
        var value = name.GetString()!;
        if (value.Length > MaxNameLength || !ServerName().IsMatch(value))
        {
            return Invalid(errors, "value_error", $"must be at most {MaxNameLength} characters without '/', '\\', whitespace or control characters", "name");
        }
        if (IsDotSegment(value))
        {
            // URLs treat "." and ".." as path steps: /services/.. could never poll or stop such a server.
            return Invalid(errors, "value_error", "may not be '.' or '..'", "name");
        }
        return value;
    }

    private static Dictionary<string, string> ReadEnv(JsonElement body, List<FieldError> errors)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!body.TryGetProperty("env", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return env;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Error("dict_type", "must be an object", "body", "env"));
            return env;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (env.Count >= MaxEnvEntries)
            {
                errors.Add(Error("too_long", $"at most {MaxEnvEntries} variables", "body", "env"));
                break;
            }
            if (!EnvName().IsMatch(property.Name))
            {
                errors.Add(Error("value_error", "is not a valid variable name", "body", "env", property.Name));
                continue;
            }
            string? value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "True",
                JsonValueKind.False => "False",
                JsonValueKind.Null => null,
                _ => Invalid(errors, "string_type", "must be a string, number or boolean", "env", property.Name),
            };
            if (value is null)
            {
                continue;
            }
            if (value.Length > MaxValueLength || value.Contains('\0'))
            {
                errors.Add(Error("value_error", $"must be at most {MaxValueLength} characters without NUL", "body", "env", property.Name));
                continue;
            }
            env[property.Name] = value;
        }
        return env;
    }

    private static Dictionary<string, JsonElement> ReadObject(JsonElement body, string field, List<FieldError> errors)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!body.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Error("dict_type", "must be an object", "body", field));
            return result;
        }
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }
        return result;
    }

    private static string ReadStartId(Dictionary<string, JsonElement> userOptions, List<FieldError> errors)
    {
        if (!userOptions.TryGetValue("start_id", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return "0";
        }
        var value = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        if (value is null || !StartId().IsMatch(value) || IsDotSegment(value))
        {
            errors.Add(Error("value_error", "must be 1-64 letters, digits, '.', '_' or '-', and not '.' or '..'", "body", "user_options", "start_id"));
            return "0";
        }
        return value;
    }

    private static ServerCerts? ReadCerts(JsonElement body, List<FieldError> errors)
    {
        var certs = ReadStrings(body, "certs", errors);
        var bundles = ReadStrings(body, "internal_trust_bundles", errors);
        if (certs.Count == 0)
        {
            return null;
        }
        foreach (var key in certs.Keys.Where(k => k is not ("keyfile" or "certfile" or "cafile")))
        {
            errors.Add(Error("extra_forbidden", "unknown certificate field (expected keyfile, certfile, cafile)", "body", "certs", key));
        }
        foreach (var key in bundles.Keys.Where(k => !BundleName().IsMatch(k)))
        {
            errors.Add(Error("value_error", "is not a valid trust bundle name", "body", "internal_trust_bundles", key));
        }
        return new ServerCerts(
            certs.GetValueOrDefault("keyfile", ""),
            certs.GetValueOrDefault("certfile", ""),
            certs.GetValueOrDefault("cafile", ""),
            bundles);
    }

    private static Dictionary<string, string> ReadStrings(JsonElement body, string field, List<FieldError> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in ReadObject(body, field, errors))
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                result[key] = value.GetString()!;
            }
            else
            {
                errors.Add(Error("string_type", "must be a string", "body", field, key));
            }
        }
        return result;
    }

    private static string? ReadOptionalString(JsonElement body, string field, List<FieldError> errors)
    {
        if (!body.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : Invalid(errors, "string_type", "must be a string", field);
    }

    private static bool IsDotSegment(string value) => value is "." or "..";

    private static string? Invalid(List<FieldError> errors, string type, string message, params string[] path)
    {
        errors.Add(Error(type, message, ["body", .. path]));
        return null;
    }

    private static FieldError Error(string type, string message, params string[] loc) => new(type, loc, message);

    // Control, format, private-use and unassigned characters; not \p{C} as a whole, whose surrogates (Cs) are the
    // two halves of every character outside the BMP, such as an emoji.
    [GeneratedRegex(@"^[^/\\\s\p{Cc}\p{Cf}\p{Co}\p{Cn}]*$")]
    private static partial Regex ServerName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex StartId();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex BundleName();
}

/// <summary>What <see cref="StartRequestReader.Read"/> made of a <c>POST /services</c> body.</summary>
public abstract record StartRequestResult
{
    private StartRequestResult()
    {
    }

    /// <summary>The body is a valid start request for <paramref name="Spec"/>.</summary>
    public sealed record Valid(ServerSpec Spec) : StartRequestResult;

    /// <summary>The body is not a valid start request: each invalid field (at most 50), for the 422.</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : StartRequestResult;
}
