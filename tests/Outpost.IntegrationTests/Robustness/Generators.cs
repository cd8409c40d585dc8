using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// FsCheck generators for the API's inputs, seeded with the shapes of known defects: dot names, percent-encoded
/// slashes, unicode, very long names, invalid UTF-8 and lone surrogates, numbers that are no port, trust bundle
/// names that collide with certificate files, huge and non-JSON bodies, made-up methods and large auth-state headers.
/// </summary>
public static class Generators
{
    /// <summary>Byte sequences that are not UTF-8, and JSON escapes of lone surrogates (valid syntax, invalid strings).</summary>
    public static readonly byte[][] BrokenBytes =
    [
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        .. new[] { @"\ud800", @"\udfff", @"\udc00\ud800", @"\ud83d" }.Select(Encoding.ASCII.GetBytes),
    ];

    public static readonly string[] Unicode = ["ä", "日本語", "🙂", "e\u0301", "\u202Eevil", "\uFEFF", "Ω≈ç√", "ｆｕｌｌ", "\u00A0"];

    public static readonly string[] DotsAndSlashes =
        [".", "..", "...", "%2E%2E", "%2e", "%2E", "a%2Fb", "%2F", "..%2F..", "%252E%252E", "~", "-", "_", "a.b"];

    public static readonly string[] Numbers = ["0", "-1", "1e30", "99999", "65536", "3.5", "-0", "1E+400", "123456789012345678901234567890", "8888"];

    public static Gen<string> Word { get; } =
        from length in Gen.Choose(1, 10)
        from chars in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray()), length)
        select new string(chars);

    public static Gen<Text> Broken { get; } =
        from prefix in Gen.Elements("", "a", "user")
        from bytes in Gen.Elements(BrokenBytes)
        from suffix in Gen.Elements("", "z")
        select Text.Broken(prefix, bytes, suffix);

    /// <summary>Server names: mostly plain, plus empty, dots, encoded slashes, unicode and lengths around the limit.</summary>
    public static Gen<string> ServerName { get; } = Gen.Frequency(
        (8, Word),
        (1, Gen.Constant("")),
        (3, Gen.Elements(DotsAndSlashes)),
        (1, Gen.Elements("a/b", "a\\b", "a b", "a\tb", "a\u0000b", "a?b", "a#b", "a;b")),
        (2, from u in Gen.Elements(Unicode) from w in Word select w + u),
        (1, Gen.Elements(new string('n', 255), new string('n', 256), new string('n', 5000), string.Concat(Enumerable.Repeat("日", 300)))));

    /// <summary>Start ids: digits and words, plus dots, traversal, number-like text, unicode and lengths around 64.</summary>
    public static Gen<string> StartId { get; } = Gen.Frequency(
        (6, Gen.Choose(0, 99999).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Word),
        (3, Gen.Elements([.. DotsAndSlashes, "../../etc", "1e30", "", " ", "a/b"])),
        (1, Gen.Elements(Unicode)),
        (1, Gen.Elements(new string('7', 64), new string('7', 65), new string('7', 3000))));

    /// <summary>A JSON value of any kind (nested up to <paramref name="depth"/>), strings sometimes broken.</summary>
    public static Gen<RawJson> AnyJson(int depth = 2)
    {
        var scalars = Gen.Frequency(
            (3, Word.Select(w => RawJson.String(w))),
            (1, Gen.Elements(Unicode).Select(u => RawJson.String(u))),
            (1, Broken.Select(RawJson.String)),
            (3, Gen.Elements(Numbers).Select(RawJson.Number)),
            (1, Gen.Elements(RawJson.Bool(true), RawJson.Bool(false), RawJson.Null)),
            (1, Gen.Constant(RawJson.String(new string('v', 70_000)))));
        if (depth == 0)
        {
            return scalars;
        }
        var nested = AnyJson(depth - 1);
        return Gen.Frequency(
            (6, scalars),
            (1, Gen.ListOf(nested, 3).Select(items => RawJson.Array([.. items]))),
            (1, from key in Key from value in nested select RawJson.Object((key, value))));
    }

    /// <summary>Object keys: words, env-like names, broken text, unicode, empty.</summary>
    public static Gen<Text> Key { get; } = Gen.Frequency(
        (4, Word.Select(w => (Text)w)),
        (2, Word.Select(w => (Text)("JUPYTERHUB_" + w.ToUpperInvariant()))),
        (2, Broken),
        (1, Gen.Elements(Unicode).Select(u => (Text)u)),
        (1, Gen.Elements<Text>("", "start_id", "flavor", "port", "cmd", "LD_PRELOAD", "PATH")));

    /// <summary>Environment keys a hub may set (JUPYTERHUB_* / JUPYTER_*), broken keys, and keys it may not set.</summary>
    public static Gen<Text> EnvKey { get; } = Gen.Frequency(
        (6, Word.Select(w => (Text)("JUPYTERHUB_" + w.ToUpperInvariant()))),
        (2, Word.Select(w => (Text)("JUPYTER_X" + w.ToUpperInvariant()))),
        (2, Broken.Select(b => Text.Broken("JUPYTERHUB_", b.Escaped))),
        (1, Gen.Elements<Text>("LD_PRELOAD", "PATH", "1BAD", "", "JUPYTERHUB_日本", "MY_SETTING")));

    /// <summary>misc.port values: numbers of every size and shape, and other kinds.</summary>
    public static Gen<RawJson> Port { get; } = Gen.Frequency(
        (1, Gen.Constant(RawJson.Number("0"))),
        (4, Gen.Elements("1e30", "99999", "65536", "-1", "3.5", "1E+400", "123456789012345678901234567890").Select(RawJson.Number)),
        (2, Gen.Elements(RawJson.String("8888"), RawJson.String(""), RawJson.Bool(true), RawJson.Null, RawJson.Array(), RawJson.Object())),
        (1, Broken.Select(RawJson.String)));

    public static Gen<RawJson> PlainString(Gen<string> text) => text.Select(t => RawJson.String(t));

    /// <summary>One change to a valid start body, with its description.</summary>
    public static Gen<(string What, Func<StartCase, StartCase> Apply)> Mutation { get; } = Gen.Frequency(
        (3, from name in ServerName select ($"name={Display.Short(name, 20)}", With(c => c with { Name = RawJson.String(name) }))),
        (2, from text in Broken select ($"name broken {text}", With(c => c with { Name = RawJson.String(text) }))),
        (1, from value in AnyJson(1) select ("name of another kind", With(c => c with { Name = value }))),
        (1, Gen.Constant(("no name", With(c => c with { Name = null })))),
        (3, from id in StartId select ($"start_id={Display.Short(id, 20)}", With(c => c with { UserOptions = Set(c.UserOptions, "start_id", RawJson.String(id)) }))),
        (1, from id in Gen.OneOf(Broken.Select(RawJson.String), Gen.Elements(Numbers).Select(RawJson.Number), AnyJson(1))
            select ($"start_id of any kind {id.GetType().Name}", With(c => c with { UserOptions = Set(c.UserOptions, "start_id", id) }))),
        (4, from key in EnvKey from value in AnyJson()
            select ($"env {key}", With(c => c with { Env = [.. c.Env, (key, value)] }))),
        (2, from key in Key from value in AnyJson()
            select ($"user_options {key}", With(c => c with { UserOptions = [.. c.UserOptions, (key, value)] }))),
        (3, from port in Port select ($"misc.port={Display.Bytes(port.ToBytes(), 30)}", With(c => c with { Misc = Set(c.Misc, "port", port) }))),
        (2, from key in Gen.Frequency((2, Gen.Elements<Text>("ip", "internal_ssl", "services_enabled", "extra_labels", "cmd")), (1, Key))
            from value in AnyJson()
            select ($"misc {key}", With(c => c with { Misc = [.. c.Misc, (key, value)] }))),
        (2, from flavor in Gen.OneOf(Broken.Select(RawJson.String), AnyJson(1), PlainString(Gen.Elements("", "default", "gpu")))
            select ("flavor", With(c => c with { Flavor = flavor }))),
        (1, from flavor in Gen.OneOf(Broken.Select(RawJson.String), PlainString(Word))
            select ("user_options.flavor", With(c => c with { UserOptions = Set(c.UserOptions, "flavor", flavor) }))),
        (2, from field in Gen.Elements("keyfile", "certfile", "cafile")
            from value in Gen.Frequency((3, PlainString(Word.Select(w => $"-----PEM {w}-----"))), (1, Broken.Select(RawJson.String)), (1, AnyJson(0)))
            select ($"certs.{field}", With(c => c with { Certs = Set(ValidCerts(c.Certs), field, value) }))),
        (1, from key in Key select ($"certs extra {key}", With(c => c with { Certs = [.. ValidCerts(c.Certs), (key, RawJson.String("x"))] }))),
        (3, from name in Gen.Frequency(
                (3, Gen.Elements<Text>("server", "notebooks-ca_trust", "ssl", "hub-ca", "notebooks-ca", "proxy-api-ca")),
                (1, Broken), (1, Key), (1, Gen.Elements<Text>("../x", ".", "a.b", new string('b', 65))))
            from value in Gen.Frequency((4, PlainString(Word.Select(w => $"-----BUNDLE {w}-----"))), (1, Broken.Select(RawJson.String)))
            select ($"internal_trust_bundles {name}", With(c => c with { Certs = ValidCerts(c.Certs), Bundles = [.. c.Bundles, (name, value)] }))),
        (2, Gen.Elements<string?>(null, "application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin1", "multipart/form-data; boundary=x")
            .Select(type => ($"Content-Type {type ?? "none"}", With(c => c with { ContentType = type })))),
        (1, Gen.Elements(BodyShape.Form, BodyShape.Garbage).Select(shape => ($"{shape} body", With(c => c with { Shape = shape })))),
        (1, from size in Gen.Elements(10, 2048) select ($"auth-state {size} B", With(c => c with { Headers = [.. c.Headers, ("auth-state-blob", new string('s', size))] }))));

    /// <summary>A start body: valid, then 0–3 mutations; now and then a huge one or another hub's.</summary>
    public static Gen<StartCase> Start { get; } =
        from user in Word
        from name in Word
        from startId in Gen.Choose(1, 99999)
        from mutations in Gen.Frequency((1, Gen.Choose(0, 0)), (5, Gen.Choose(1, 1)), (4, Gen.Choose(2, 3)))
            .SelectMany(n => Gen.ListOf(Mutation, n))
        from async in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from hub in Gen.Frequency((5, Gen.Constant(Credentials.Hub1)), (1, Gen.Constant(Credentials.Hub2)))
        from huge in Gen.Frequency((120, Gen.Constant(false)), (1, Gen.Constant(true)))
        select mutations.Aggregate(
            Valid(user, name, startId.ToString(System.Globalization.CultureInfo.InvariantCulture)) with
            {
                Async = async,
                Hub = hub,
                Shape = huge ? BodyShape.Huge : BodyShape.Json,
                Mutations = huge ? ["huge body"] : [],
            },
            (c, m) =>
            {
                var next = m.Apply(c);
                return next with { Mutations = [.. next.Mutations, m.What] };
            });

    /// <summary>The body the outpostspawner sends for a plain start.</summary>
    public static StartCase Valid(string user, string name, string startId) => new()
    {
        Name = RawJson.String(name),
        Env =
        [
            ("JUPYTERHUB_USER", RawJson.String(user)),
            ("JUPYTERHUB_USER_ID", RawJson.String("17")),
            ("JUPYTERHUB_API_TOKEN", RawJson.String($"token-of-{user}")),
            ("JUPYTERHUB_SERVICE_PREFIX", RawJson.String($"/user/{user}/{name}/")),
        ],
        UserOptions = [("start_id", RawJson.String(startId))],
        Misc = [("port", RawJson.Number("0"))],
    };

    private static Func<StartCase, StartCase> With(Func<StartCase, StartCase> change) => change;

    private static List<(Text Key, RawJson Value)> Set(List<(Text Key, RawJson Value)> members, string key, RawJson value) =>
        [.. members.Where(m => m.Key.Plain != key), (key, value)];

    /// <summary>Certificates are what make the Outpost write files (and trust bundles); start from a plain valid set.</summary>
    private static List<(Text Key, RawJson Value)> ValidCerts(List<(Text Key, RawJson Value)> certs) => certs.Count > 0 ? certs :
    [
        ("keyfile", RawJson.String("-----KEY-----")),
        ("certfile", RawJson.String("-----CERT-----")),
        ("cafile", RawJson.String("-----CA-----")),
    ];
}
