using System.Text;
using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Authorization shapes against a real Outpost with a third hub whose password holds colons and non-ASCII text (hub
/// names themselves are ASCII by the configuration rule, so a non-ASCII name can only be refused): duplicated and combined Authorization headers, very long ones, odd spacing and case. No 5xx; a request
/// is never served as a hub other than the one whose valid credentials it carries alone; the third hub sees only
/// its own servers.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class AuthHeaderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Hub3 = "hub-3.x";
    private const string Password3 = "pa:ss:wörd";
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync(new() { [$"Outpost:Hubs:{Hub3}:Password"] = Password3 });

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

    [Fact]
    public async Task Robustness_AuthorizationShapes_NeverServeTheWrongHub()
    {
        output.WriteLine(RobustnessRun.Describe($"authorization shapes against {_outpost}"));
        var violations = new Violations();
        var hub1 = Basic($"{OutpostHost.Hub1}:{OutpostHost.Password1}");
        var hub2 = Basic($"{OutpostHost.Hub2}:{OutpostHost.Password2}");
        var hub3 = Basic($"{Hub3}:{Password3}");

        // hub3 starts a server; nobody else may see it.
        var start = Generators.Valid("uma", "mine", "1").ToRequest() with { Auth = Credentials.None, Headers = [("Authorization", hub3)] };
        var started = await _outpost.SendAsync(start);
        ApiInvariants.CheckAnswer(start, started, violations);
        if (started.Status != 200)
        {
            violations.Add($"a hub with colons in its password could not start ({started.Status})", $"{start.Describe()}  →  {started}");
        }
        var path = OutpostUnderTest.ServerPath("mine", "1");

        var shapes = new (string What, string[] Authorizations, int[] Expected)[]
        {
            ("hub3 alone", [hub3], [200]),
            ("hub3 with its password cut at the first colon", [Basic($"{Hub3}:pa")], [401]),
            ("hub3's password in Latin-1", ["Basic " + Convert.ToBase64String(Encoding.Latin1.GetBytes($"{Hub3}:{Password3}"))], [401]),
            ("a non-ASCII hub name", [Basic($"hüb-3:{Password3}")], [401]),
            ("hub3 with full-width letters", [Basic($"ｈｕｂ-3.x:{Password3}")], [401]),
            ("hub1", [hub1], [404]),
            ("hub1 then hub3, two headers", [hub1, hub3], [400, 401]),
            ("hub3 then hub1, two headers", [hub3, hub1], [400, 401]),
            ("hub3 twice, two headers", [hub3, hub3], [400, 401]),
            ("hub1 and hub3 in one header", [$"{hub1}, {hub3}"], [400, 401]),
            ("hub3 with a trailing parameter", [$"{hub3} x"], [400, 401]),
            ("lowercase scheme", ["basic " + hub3["Basic ".Length..]], [200]),
            ("8 KB of padding after hub3", [hub3 + new string('=', 8 * 1024)], [400, 401, 431]),
            ("64 KB Authorization", ["Basic " + new string('Q', 64 * 1024)], [400, 401, 431]),
            ("hub2", [hub2], [404]),
        };
        foreach (var (what, authorizations, expected) in shapes)
        {
            foreach (var method in new[] { "GET" })
            {
                var request = new RawRequest(method, path, Credentials.None) { Headers = [.. authorizations.Select(a => ("Authorization", a))], Note = what };
                var answer = await _outpost.SendAsync(request);
                ApiInvariants.CheckAnswer(request, answer, violations);
                if (!expected.Contains(answer.Status))
                {
                    violations.Add($"{what}: answered {answer.Status}, expected {string.Join("/", expected)}", $"{request.Describe()}  →  {answer}");
                }
            }
        }
        foreach (var other in new[] { Credentials.Hub1, Credentials.Hub2 })
        {
            if (await _outpost.ListAsync(other) is not { } list || list.Contains(("mine", "1")))
            {
                violations.Add("another hub lists hub3's server (or cannot list)", other.ToString());
            }
        }
        var stop = new RawRequest("DELETE", path, Credentials.None) { Headers = [("Authorization", hub3)] };
        var stopped = await _outpost.SendAsync(stop);
        if (stopped.Status != 200)
        {
            violations.Add($"hub3 could not stop its server ({stopped.Status})", $"{stop.Describe()}  →  {stopped}");
        }
        await ApiInvariants.CheckAliveAsync(_outpost, violations, "authorization shapes");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Authorization shapes broke invariants")));
    }
}
