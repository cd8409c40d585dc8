using System.Text;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Servers with generated names (every Unicode class that is accepted, URL delimiters, percent signs) are reachable
/// for their hub through every equivalent encoding of their path — the canonical one the hub-side spawner builds
/// (Python's <c>quote</c>: uppercase hex, unreserved characters kept), lowercase hex, every byte encoded, a trailing
/// slash, a query — while the other hub gets 404 for each of them and cannot stop them; HEAD and OPTIONS on each
/// path answer without a 5xx.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class RouteEncodingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 10;
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    /// <summary>Names a hub may use: words with accepted Unicode (combining marks, RTL letters, emoji, fullwidth) and URL delimiters.</summary>
    private static FsCheck.Gen<string> Name { get; } =
        from word in Generators.Word
        from extra in Gen.Elements("", "é", "e\u0301", "\u05D0\u05D1", "🙂", "日本", "ｆｕｌｌ", "%", "%2F", "%25", "a?b", "#", ";", "+", "&=", "~", ".", "...", ":@", "[]", "'\"<>")
        from position in Gen.Elements(true, false)
        select position ? extra + word : word + extra;

    private static FsCheck.Gen<string> StartId { get; } = Gen.Frequency(
        (3, Gen.Choose(0, 99999).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Elements("a.b", "-", "_x", "...", new string('7', 64))));

    [Fact]
    public async Task Robustness_AcceptedServers_AreReachableThroughEveryEquivalentPath_OnlyForTheirHub()
    {
        var batches = RobustnessRun.Count(3);
        output.WriteLine(RobustnessRun.Describe($"{batches} batches of {BatchSize} servers against {_outpost}"));
        var violations = new Violations();
        for (var i = 0; i < batches; i++)
        {
            var before = await ApiInvariants.TakeAsync(_outpost);
            var sent = new List<(StartCase?, RawRequest, RawAnswer)>();
            var names = RobustnessRun.Batch(Name, 5_000 + i, BatchSize);
            var startIds = RobustnessRun.Batch(StartId, 5_500 + i, BatchSize);
            for (var k = 0; k < BatchSize; k++)
            {
                var start = Generators.Valid("eve", names[k], startIds[k]);
                var request = start.ToRequest();
                var answer = await _outpost.SendAsync(request);
                sent.Add((start, request, answer));
                ApiInvariants.CheckAnswer(request, answer, violations);
                if (answer.Status == 409 || answer.Status == 419 && answer.ToString().Contains("already", StringComparison.Ordinal))
                {
                    continue; // the generator drew the same name and start id twice
                }
                if (answer.Status != 200)
                {
                    violations.Add($"start of an acceptable name answered {answer.Status}", $"{request.Describe()}  →  {answer}");
                    continue;
                }
                await CheckPathsAsync(start, request, violations);
            }
            await ApiInvariants.CheckAliveAsync(_outpost, violations, $"encoding batch {i}");
            await ApiInvariants.SettleAsync(_outpost, before, TimeSpan.FromSeconds(20));
            await ApiInvariants.CheckNothingLeftAsync(_outpost, before, sent, violations);
        }
        output.WriteLine($"{batches * BatchSize} servers, {violations.Count} violations");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Equivalent paths broke invariants")));
    }

    private async Task CheckPathsAsync(StartCase start, RawRequest startRequest, Violations violations)
    {
        var (name, startId) = (start.PlainName!, start.PlainStartId!);
        var canonical = $"/services/{PythonQuote(name)}/{PythonQuote(startId)}";
        var paths = new List<string>
        {
            canonical,
            $"/services/{EncodeEveryByte(name)}/{EncodeEveryByte(startId)}",
            OutpostUnderTest.ServerPath(name, startId),
            canonical + "/",
            canonical + "?collect_logs=false&x=%FF",
        };
        if (!name.Contains('%', StringComparison.Ordinal))
        {
            // Lowercase hex escapes the same bytes; a name holding a literal "%2F" would not survive the lowering.
            paths.Add($"/services/{System.Text.RegularExpressions.Regex.Replace(PythonQuote(name), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant())}/{PythonQuote(startId)}");
        }
        foreach (var path in paths)
        {
            await ExpectAsync(new RawRequest("GET", path), [200], "hub's poll through an equivalent path", startRequest, violations);
            await ExpectAsync(new RawRequest("GET", path, Credentials.Hub2), [404], "other hub's poll", startRequest, violations);
            await ExpectAsync(new RawRequest("DELETE", path, Credentials.Hub2), [404], "other hub's stop", startRequest, violations);
            foreach (var method in new[] { "HEAD", "OPTIONS" })
            {
                var request = new RawRequest(method, path);
                ApiInvariants.CheckAnswer(request, await _outpost.SendAsync(request), violations);
            }
        }
        var listed = await _outpost.ListAsync(Credentials.Hub2);
        if (listed is null || listed.Contains((name, startId)))
        {
            violations.Add("other hub's list shows the server (or fails)", startRequest.Describe());
        }
        await ExpectAsync(new RawRequest("DELETE", canonical), [200], "hub's stop through the canonical path", startRequest, violations);
        await ExpectAsync(new RawRequest("GET", canonical), [404], "poll after the stop", startRequest, violations);
    }

    private async Task ExpectAsync(RawRequest request, int[] expected, string what, RawRequest startRequest, Violations violations)
    {
        var answer = await _outpost.SendAsync(request);
        ApiInvariants.CheckAnswer(request, answer, violations);
        if (!expected.Contains(answer.Status))
        {
            violations.Add($"{what} answered {answer.Status}", $"{startRequest.Describe()}  then  {request.Describe()}  →  {answer}");
        }
    }

    /// <summary>Python's <c>urllib.parse.quote(s, safe="")</c>: letters, digits and <c>_.-~</c> kept, every other UTF-8 byte as uppercase %XX.</summary>
    public static string PythonQuote(string value)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            text.Append(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~'
                ? ((char)b).ToString()
                : $"%{b:X2}");
        }
        return text.ToString();
    }

    /// <summary>Every byte percent-encoded, unreserved ones too (RFC 3986 says they are equivalent), except '.' segments stay text.</summary>
    private static string EncodeEveryByte(string value) =>
        value is "." or ".." ? value : string.Concat(Encoding.UTF8.GetBytes(value).Select(b => $"%{b:X2}"));
}
