using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>A generated request that is not a start: any method, route, credentials, headers and body.</summary>
public sealed record RouteCase(RawRequest Request, bool BodyIsJson, bool BodyIsObject, bool BodyHasInvalidText, bool Huge);

/// <summary>Generators for methods, paths (raw, percent-encoded), auth-state headers and /userflavors bodies.</summary>
public static class RouteGenerators
{
    public static Gen<string> Method { get; } = Gen.Frequency(
        (6, Gen.Elements("GET", "POST", "DELETE")),
        (2, Gen.Elements("PUT", "PATCH", "HEAD", "OPTIONS", "TRACE")),
        (2, Gen.Elements("FOO", "BREW", "get", "PROPFIND", "M-SEARCH", "QUERY", "CONNECTX", new string('X', 100))),
        (1, Generators.Word.Select(w => w.ToUpperInvariant())));

    /// <summary>One path segment as sent (already percent-encoded where it should be).</summary>
    public static Gen<string> Segment { get; } = Gen.Frequency(
        (5, Generators.Word),
        (4, Gen.Elements(Generators.DotsAndSlashes)),
        (2, Gen.Elements(Generators.Unicode).Select(OutpostUnderTest.EscapeSegment)),
        (2, Gen.Elements("%FF", "%ED%A0%80", "%C3%28", "%00", "%C0%AF", "%E2%82", "%", "%G1", "%2", ";", "a%3Fb", "%20", "+")),
        (1, Gen.Elements("", new string('n', 5000), string.Concat(Enumerable.Repeat("%E6%97%A5", 400)))));

    public static Gen<string> Path { get; } = Gen.Frequency(
        (5, from name in Segment from startId in Segment from form in Gen.Choose(0, 3)
            select form switch { 0 => $"/services/{name}", 1 => $"/services/{name}/{startId}", 2 => $"/services/{name}/{startId}/", _ => $"/services/{name}/" }),
        (1, from a in Segment from b in Segment from c in Segment select $"/services/{a}/{b}/{c}"),
        (1, Gen.Elements("/services", "/services/", "/services//1", "/services//", "//services", "/services/../flavors", "/..%2Fservices", "/SERVICES/x")),
        (2, Gen.Elements("/flavors", "/flavors/", "/userflavors", "/userflavors/", "/ping", "/health", "/metrics", "/openapi/v1.json")),
        (1, from a in Segment from b in Segment select $"/{a}/{b}"));

    public static Gen<string> Query { get; } = Gen.Frequency(
        (6, Gen.Constant("")),
        (2, Gen.Elements("?collect_logs=true", "?collect_logs=TRUE", "?collect_logs=%FF", "?collect_logs", "?a=1&a=2", "?%ED%A0%80=1")),
        (1, Gen.Constant("?q=" + new string('q', 6000))));

    public static Gen<Credentials> Auth { get; } = Gen.Frequency(
        (6, Gen.Constant(Credentials.Hub1)),
        (1, Gen.Constant(Credentials.Hub2)),
        (1, Gen.Elements(Credentials.None, Credentials.WrongPassword, Credentials.Malformed)));

    /// <summary>auth-state-* headers (up to 2 KB), execution-type and odd header names.</summary>
    public static Gen<(string, string)> Header { get; } = Gen.Frequency(
        (4, from key in Generators.Word from size in Gen.Elements(1, 100, 2048) select ($"auth-state-{key}", new string('s', size))),
        (1, Gen.Elements(("auth-state-", "x"), ("Auth-State-Access_Token", "secret"), ("auth-state-a.b", "x"))),
        (2, Gen.Elements(("execution-type", "async"), ("execution-type", "sync"), ("execution-type", "ASYNC"), ("execution-type", new string('e', 500)))),
        (1, Gen.Elements(("X-Forwarded-Prefix", "/outpost"), ("Connection", "keep-alive"), ("Accept", "text/html"))));

    /// <summary>A /userflavors body: the user's authentication dict, with values of every kind and broken text.</summary>
    public static Gen<RawJson> UserFlavorsBody { get; } =
        from name in Gen.Frequency((3, Generators.Word.Select(w => RawJson.String(w))), (1, Generators.Broken.Select(RawJson.String)))
        from extra in Gen.ListOf(Gen.Zip(Generators.Key, Generators.AnyJson(2)), 2)
        select RawJson.Object([("name", name), ("groups", RawJson.Array(RawJson.String("g1"))), .. extra]);

    private static Gen<RouteCase> AnyRequest { get; } =
        from method in Gen.Frequency((5, Method), (1, Gen.Constant("POST")))
        from path in Path
        from query in Query
        from auth in Auth
        from headers in Gen.Frequency((3, Gen.Constant<(string, string)[]>([])), (3, Gen.ArrayOf(Header, 2)), (1, Gen.ArrayOf(Header, 6)))
        from body in Gen.Frequency(
            (4, Gen.Constant<RawJson?>(null)),
            (4, UserFlavorsBody.Select(b => (RawJson?)b)),
            (1, Generators.AnyJson(2).Select(b => (RawJson?)b)))
        from raw in Gen.Frequency((8, Gen.Constant<byte[]?>(null)), (1, Gen.Elements<byte[]?>("name=alice&groups=g1"u8.ToArray(), [0xFF, 0xFE, 0x00], "{\"name\":"u8.ToArray(), [])))
        from contentType in Gen.Elements<string?>("application/json", "application/json", "application/x-www-form-urlencoded", "text/plain", null)
        from huge in Gen.Frequency((100, Gen.Constant(false)), (1, Gen.Constant(true)))
        let sendsBody = method is not ("GET" or "HEAD" or "DELETE" or "OPTIONS" or "TRACE") && (body is not null || raw is not null || huge)
        let bytes = !sendsBody ? null : huge ? HugeUserFlavors() : raw ?? body!.ToBytes()
        select new RouteCase(
            new RawRequest(method, path + query, auth) { Headers = headers, Body = bytes, ContentType = bytes is null ? null : contentType },
            BodyIsJson: sendsBody && (huge || (raw is null && body is not null)),
            BodyIsObject: sendsBody && (huge || (raw is null && body is RawJson.ObjectValue)),
            BodyHasInvalidText: sendsBody && !huge && raw is null && body is { IsValidText: false },
            Huge: sendsBody && huge);

    /// <summary>Any request, one in five a POST to /userflavors (whose body is read only when flavors are configured).</summary>
    public static Gen<RouteCase> Request { get; } = Gen.Frequency(
        (40, AnyRequest),
        (1, from auth in Auth select new RouteCase(
            new RawRequest("POST", "/userflavors", auth) { Body = HugeUserFlavors(), ContentType = "application/json" }, true, true, false, Huge: true)),
        (10, AnyRequest.Select(r => r with { Request = r.Request with { Method = "POST", PathAndQuery = "/userflavors" } }).Where(r => r.Request.Body is not null)));

    private static byte[] HugeUserFlavors() =>
        RawJson.Object(("name", RawJson.String("alice")), ("groups", RawJson.Array([.. Enumerable.Repeat(RawJson.String(new string('g', 1000)), 4300)]))).ToBytes();
}
