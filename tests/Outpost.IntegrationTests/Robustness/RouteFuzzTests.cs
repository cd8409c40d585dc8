using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Generated requests on every route (made-up methods, dot and percent-encoded names and start ids, unicode, very
/// long segments, 2 KB auth-state headers, /userflavors bodies with broken text, huge bodies) against a real Outpost
/// process: <see cref="ApiInvariants"/> after each batch, and the answers the defect shapes must get.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class RouteFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 100;
    private OutpostUnderTest _outpost = null!;

    /// <summary>Flavors are configured, so /userflavors reads its body (without flavors it answers {} unread).</summary>
    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync(new()
    {
        ["Outpost:Flavors:Flavors:small:max"] = "5",
        ["Outpost:Flavors:Flavors:small:display_name"] = "Small",
        ["Outpost:Flavors:Users:blocked:authentication:name"] = "blocked.*",
        ["Outpost:Flavors:Users:blocked:forbidden"] = "true",
        ["Outpost:Flavors:Users:group:authentication:groups"] = "g1",
        ["Outpost:Flavors:Users:group:flavors:0"] = "small",
    });

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task Robustness_GeneratedRequests_KeepEveryInvariant()
    {
        var batches = RobustnessRun.Count(25);
        output.WriteLine(RobustnessRun.Describe($"{batches} batches of {BatchSize} requests against {_outpost}"));
        var violations = new Violations();
        for (var i = 0; i < batches; i++)
        {
            var before = await ApiInvariants.TakeAsync(_outpost);
            var batch = new List<(StartCase?, RawRequest, RawAnswer)>();
            // Offset the seed: the start-body test draws its batches from the same numbers.
            foreach (var generated in RobustnessRun.Batch(RouteGenerators.Request, 1_000 + i, BatchSize))
            {
                var answer = await _outpost.SendAsync(generated.Request);
                batch.Add((null, generated.Request, answer));
                ApiInvariants.CheckAnswer(generated.Request, answer, violations);
                CheckExpectedAnswer(generated, answer, violations);
            }
            await ApiInvariants.CheckAliveAsync(_outpost, violations, $"route batch {i}");
            await ApiInvariants.CheckNothingLeftAsync(_outpost, before, batch, violations);
        }
        output.WriteLine($"{batches * BatchSize} requests sent, {violations.Count} violations");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Generated requests broke invariants")));
    }

    /// <summary>/userflavors: a huge body is 413, a body that is not JSON or holds invalid text is 422 (with valid credentials).</summary>
    private static void CheckExpectedAnswer(RouteCase generated, RawAnswer answer, Violations violations)
    {
        var request = generated.Request;
        if (request.Method != "POST" || ApiInvariants.RouteOf(request.Path) != "/userflavors" || request.Auth is not (Credentials.Hub1 or Credentials.Hub2))
        {
            return;
        }
        var expected = generated.Huge ? 413 : !generated.BodyIsObject || generated.BodyHasInvalidText ? 422 : 200;
        if (answer.Status != expected)
        {
            var why = generated.Huge ? "a body over 4 MiB" : !generated.BodyIsJson ? "a body that is not JSON" : !generated.BodyIsObject ? "a JSON body that is no object" : generated.BodyHasInvalidText ? "invalid text" : "a JSON object";
            violations.Add($"/userflavors with {why} not answered {expected} (got {answer.Status})", $"{request.Describe()}  →  {answer}");
        }
    }
}
