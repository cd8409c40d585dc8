using System.Text;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// A start body of one edge shape and the answers that are right for it (sync; an async start answers 202 for 200).
/// <see cref="Name"/> and <see cref="StartId"/> are what an accepted body addresses, to poll and stop it.
/// </summary>
public sealed record JsonShapeCase(string What, byte[] Body, string Name, string StartId, params int[] Expected);

/// <summary>
/// Edge shapes of JSON start bodies: duplicate keys (the last wins, as in Python's json), nesting around the depth
/// limit of 64, huge arrays and objects under the size limit, numbers such as 1e400, -0 and huge integers in every
/// position, names at 255/256 characters and of every Unicode class, start ids at the 64-character edge, env with
/// 512/513 entries and values at 64 KiB, and NUL (<c>\u0000</c>) in every string field.
/// </summary>
public static class JsonShapeCases
{
    public static IReadOnlyList<JsonShapeCase> All()
    {
        var cases = new List<JsonShapeCase>();
        var n = 0;
        string Next() => $"shape{n++}";

        // Names: the rule is "at most 255 (UTF-16) characters without '/', '\', whitespace, control (Cc), format (Cf),
        // private-use (Co) or unassigned (Cn) characters"; JupyterHub itself does not restrict server names.
        foreach (var (name, expected) in new (string, int)[]
        {
            (new string('n', 255), 200), (new string('n', 256), 422), (new string('é', 255), 200), ("e\u0301", 200), ("\u0301", 200),
            ("🙂", 200), ("日本語🙂", 200), ("ｆｕｌｌ", 200), ("\u05D0\u05D1", 200), ("\u202Eevil", 422), ("👩\u200D💻", 422),
            ("\uFEFFx", 422), ("a\u0000b", 422), ("\u00A0", 422), ("\uE000", 422), ("a\u0085", 422),
        })
        {
            cases.Add(Start($"name {Display.Short(Escape(name), 16)}", name, "1", expected));
        }

        // Start ids: 1-64 of [A-Za-z0-9._-]; a number is taken as its JSON text.
        foreach (var (startId, expected) in new[] { (new string('7', 64), 200), (new string('7', 65), 422), ("a-b_c.d", 200), ("1\u0000", 422), ("é", 422) })
        {
            cases.Add(Start($"start_id {Display.Short(Escape(startId), 12)}", Next(), startId, expected));
        }
        foreach (var (number, expected) in new[] { ("1e400", 200), ("-0", 200), ("123456789012345678901234567890", 200), ("1E+400", 422), ("-1e-400", 200) })
        {
            var name = Next();
            cases.Add(Raw($"start_id number {number}", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"user_options":{"start_id":NUM}}""", name, number), name, number, expected));
        }

        // Numbers elsewhere: env values and the user id are stringified; misc.port must be a whole number 0-65535.
        foreach (var number in new[] { "1e400", "-0", "123456789012345678901234567890", "-1e-400", "1E+400" })
        {
            var name = Next();
            cases.Add(Raw($"numbers {number} in env, user id, user_options",
                Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam","JUPYTERHUB_USER_ID":NUM,"JUPYTERHUB_N":NUM},"user_options":{"x":NUM,"start_id":"1"}}""", name, number), name, "1", 200));
            name = Next();
            cases.Add(Raw($"misc.port {number}", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"misc":{"port":NUM}}""", name, number), name, "0", number == "-0" ? [200, 419] : [419]));
        }

        // Env size limits.
        cases.Add(Start("env with 512 entries", Next(), "1", 200, env: 512));
        cases.Add(Start("env with 513 entries", Next(), "1", 422, env: 513));
        cases.Add(Start("env value of 64 KiB", Next(), "1", 200, value: new string('v', 64 * 1024)));
        cases.Add(Start("env value of 64 KiB + 1", Next(), "1", 422, value: new string('v', 64 * 1024 + 1)));

        // NUL in every string field.
        foreach (var (what, member, expected) in new[]
        {
            ("env value", "\"env\":{\"JUPYTERHUB_USER\":\"sam\",\"JUPYTERHUB_X\":\"a\\u0000\"}", 422),
            ("env key", "\"env\":{\"JUPYTERHUB_USER\":\"sam\",\"JUPYTERHUB_\\u0000\":\"a\"}", 422),
            ("user name", "\"env\":{\"JUPYTERHUB_USER\":\"s\\u0000m\"}", 422),
            ("user_options value", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"user_options\":{\"x\":\"a\\u0000\"}", 200),
            ("user_options key", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"user_options\":{\"x\\u0000\":1}", 200),
            ("misc key", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"misc\":{\"port\\u0000\":0}", 419),
            ("certs value", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"certs\":{\"keyfile\":\"k\\u0000\",\"certfile\":\"c\",\"cafile\":\"a\"}", 200),
            ("trust bundle key", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"certs\":{\"keyfile\":\"k\",\"certfile\":\"c\",\"cafile\":\"a\"},\"internal_trust_bundles\":{\"hub\\u0000\":\"x\"}", 422),
            ("trust bundle value", "\"env\":{\"JUPYTERHUB_USER\":\"sam\"},\"certs\":{\"keyfile\":\"k\",\"certfile\":\"c\",\"cafile\":\"a\"},\"internal_trust_bundles\":{\"hub-ca\":\"\\u0000\"}", 200),
        })
        {
            var name = Next();
            cases.Add(Raw($"NUL in {what}", $"{{\"name\":\"{name}\",{member}}}", name, "0", expected));
        }

        // Duplicate keys: the last one wins, everywhere.
        cases.Add(Raw("duplicate name, last '..'", """{"name":"dupa","name":"..","env":{"JUPYTERHUB_USER":"sam"}}""", "..", "0", 422));
        cases.Add(Raw("duplicate name, last valid", """{"name":"..","name":"dupb","env":{"JUPYTERHUB_USER":"sam"}}""", "dupb", "0", 200));
        cases.Add(Raw("two env objects, last forbidden", """{"name":"dupc","env":{"JUPYTERHUB_USER":"sam"},"env":{"JUPYTERHUB_USER":"sam","LD_PRELOAD":"x"}}""", "dupc", "0", 419));
        cases.Add(Raw("two env objects, first forbidden", """{"name":"dupd","env":{"LD_PRELOAD":"x"},"env":{"JUPYTERHUB_USER":"sam"}}""", "dupd", "0", 200));
        cases.Add(Raw("duplicate start_id", """{"name":"dupe","env":{"JUPYTERHUB_USER":"sam","JUPYTERHUB_USER":"tom"},"user_options":{"start_id":"..","start_id":"2"}}""", "dupe", "2", 200));

        // Depth around the limit of 64, and big members under the 4 MiB body limit.
        cases.Add(Raw("user_options nested 60 deep", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"user_options":{"x":NUM}}""", "deep60", Nest(58)), "deep60", "0", 200));
        cases.Add(Raw("user_options nested 70 deep", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"user_options":{"x":NUM}}""", "deep70", Nest(68)), "deep70", "0", 422));
        cases.Add(Raw("array of 400,000 numbers", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"user_options":{"x":[NUM]}}""", "bigarray", string.Join(",", Enumerable.Repeat("1e400", 400_000))), "bigarray", "0", 200));
        cases.Add(Raw("object of 50,000 keys", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"user_options":{NUM}}""", "bigobject", Members(50_000, "\"k{0}\":-0")), "bigobject", "0", 200));
        cases.Add(Raw("env of 100,000 bad names", Fill("""{"name":"NAME","env":{NUM}}""", "badenv", Members(100_000, "\"{0}x\":1")), "badenv", "0", 422));
        cases.Add(Raw("misc of 50,000 unknown keys", Fill("""{"name":"NAME","env":{"JUPYTERHUB_USER":"sam"},"misc":{NUM}}""", "badmisc", Members(50_000, "\"k{0}\":1")), "badmisc", "0", 419));
        return cases;
    }

    private static JsonShapeCase Start(string what, string name, string startId, int expected, int env = 0, string? value = null)
    {
        var start = Generators.Valid("sam", name, startId);
        var extra = Enumerable.Range(0, Math.Max(0, env - start.Env.Count)).Select(i => ((Text)$"JUPYTERHUB_E{i}", RawJson.String("x")));
        start = start with { Env = [.. start.Env, .. extra, .. value is null ? [] : new[] { ((Text)"JUPYTERHUB_BIG", RawJson.String(value)) }] };
        return new JsonShapeCase(what, start.ToJson().ToBytes(), name, startId, expected);
    }

    private static JsonShapeCase Raw(string what, string body, string name, string startId, params int[] expected) =>
        new(what, Encoding.UTF8.GetBytes(body), name, startId, expected);

    /// <summary>The template with NAME and NUM (a JSON value or members, inserted as they are) filled in.</summary>
    private static string Fill(string template, string name, string value) =>
        template.Replace("NAME", name, StringComparison.Ordinal).Replace("NUM", value, StringComparison.Ordinal);

    private static string Members(int count, string format) =>
        string.Join(",", Enumerable.Range(0, count).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, i)));

    /// <summary>Arrays nested <paramref name="depth"/> deep.</summary>
    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    private static string Escape(string value) => string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
