using System.Text;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>How a start body is sent.</summary>
public enum BodyShape
{
    Json,
    /// <summary>A form-encoded body (not JSON): must be refused with 422.</summary>
    Form,
    /// <summary>Bytes that are not JSON at all: must be refused with 422.</summary>
    Garbage,
    /// <summary>A JSON body over the 4 MiB request limit: must be refused with 413.</summary>
    Huge,
}

/// <summary>
/// A generated <c>POST /services</c>: the body as fields (each may hold broken text) and what the correct answer
/// depends on: which fields hold invalid text, whether the body is JSON, and the name, start id and user it
/// addresses (when they are plain text), to attribute leftovers to the request that made them.
/// </summary>
public sealed record StartCase
{
    public RawJson? Name { get; init; }
    public List<(Text Key, RawJson Value)> Env { get; init; } = [];
    public List<(Text Key, RawJson Value)> UserOptions { get; init; } = [];
    public List<(Text Key, RawJson Value)> Misc { get; init; } = [];
    public RawJson? Flavor { get; init; }
    public List<(Text Key, RawJson Value)> Certs { get; init; } = [];
    public List<(Text Key, RawJson Value)> Bundles { get; init; } = [];
    public BodyShape Shape { get; init; } = BodyShape.Json;
    public string? ContentType { get; init; } = "application/json";
    public bool Async { get; init; }
    public Credentials Hub { get; init; } = Credentials.Hub1;
    public List<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>What the generator did to the valid base body, for the report.</summary>
    public List<string> Mutations { get; init; } = [];

    /// <summary>The top-level fields holding invalid text (invalid UTF-8 or a lone surrogate).</summary>
    public IReadOnlyList<string> InvalidTextFields =>
    [
        .. Name is { IsValidText: false } ? ["name"] : Array.Empty<string>(),
        .. Fields().Where(f => f.Members.Any(m => !m.Key.IsValid || !m.Value.IsValidText)).Select(f => f.Field),
        .. Flavor is { IsValidText: false } ? ["flavor"] : Array.Empty<string>(),
    ];

    public string? PlainName => (Name as RawJson.StringValue)?.Text.Plain;

    public string? PlainStartId => Plain(UserOptions, "start_id") ?? (UserOptions.Any(m => m.Key.Plain == "start_id") ? null : "0");

    public string? PlainUser => Plain(Env, "JUPYTERHUB_USER");

    /// <summary>The cert fields as sent, when all are plain text.</summary>
    public Dictionary<string, string>? PlainCerts =>
        Certs.Count > 0 && Certs.All(c => c.Key.Plain is not null && c.Value is RawJson.StringValue { Text.Plain: not null })
            ? Certs.ToDictionary(c => c.Key.Plain!, c => ((RawJson.StringValue)c.Value).Text.Plain!)
            : null;

    public RawJson ToJson()
    {
        var members = new List<(Text, RawJson)>();
        if (Name is not null)
        {
            members.Add(("name", Name));
        }
        members.Add(("env", RawJson.Object([.. Env])));
        members.Add(("user_options", RawJson.Object([.. UserOptions])));
        members.Add(("misc", RawJson.Object([.. Misc])));
        if (Flavor is not null)
        {
            members.Add(("flavor", Flavor));
        }
        members.Add(("certs", RawJson.Object([.. Certs])));
        members.Add(("internal_trust_bundles", RawJson.Object([.. Bundles])));
        return RawJson.Object([.. members]);
    }

    public RawRequest ToRequest()
    {
        var body = Shape switch
        {
            BodyShape.Json => ToJson().ToBytes(),
            BodyShape.Form => Encoding.UTF8.GetBytes($"name={Uri.EscapeDataString(PlainName ?? "x")}&env=JUPYTERHUB_USER%3Dalice&user_options=start_id%3D1"),
            BodyShape.Garbage => [.. "{\"name\": \"x\", "u8.ToArray(), 0xFF, 0x00, .. "]]"u8.ToArray()],
            BodyShape.Huge => HugeBody(),
            _ => throw new InvalidOperationException(),
        };
        var headers = new List<(string, string)>(Headers);
        if (Async)
        {
            headers.Add(("execution-type", "async"));
        }
        return new RawRequest("POST", "/services", Hub)
        {
            Body = body,
            ContentType = ContentType,
            Headers = headers,
            Note = string.Join("; ", Mutations.Prepend(Shape.ToString()).Append(Async ? "async" : "sync")),
        };
    }

    private byte[] HugeBody()
    {
        // A valid start body whose one env value takes it past the default 4 MiB limit.
        var big = RawJson.String(new string('a', 4 * 1024 * 1024 + 512));
        return (this with { Shape = BodyShape.Json, Env = [.. Env, ("JUPYTERHUB_BIG", big)] }).ToJson().ToBytes();
    }

    private IEnumerable<(string Field, List<(Text Key, RawJson Value)> Members)> Fields() =>
    [
        ("env", Env), ("user_options", UserOptions), ("misc", Misc), ("certs", Certs), ("internal_trust_bundles", Bundles),
    ];

    private static string? Plain(List<(Text Key, RawJson Value)> members, string key) =>
        members.LastOrDefault(m => m.Key.Plain == key).Value switch
        {
            RawJson.StringValue { Text.Plain: { } text } => text,
            RawJson.Literal { Text: var number } when number.Length > 0 && (char.IsDigit(number[0]) || number[0] == '-') => number,
            _ => null,
        };
}
