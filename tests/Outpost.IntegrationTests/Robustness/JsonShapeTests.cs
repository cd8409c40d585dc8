using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Every edge shape of <see cref="JsonShapeCases"/> sent as a start (sync or async, drawn from the seed): the answer
/// is the right one for the shape, the usual invariants hold (<see cref="ApiInvariants"/>, with refusals of bounded
/// size), and an accepted server can be polled and stopped through the canonical path.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class JsonShapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task Robustness_EdgeShapedStartBodies_GetTheRightAnswer()
    {
        var cases = JsonShapeCases.All();
        var rounds = RobustnessRun.Count(1);
        output.WriteLine(RobustnessRun.Describe($"{rounds} × {cases.Count} edge-shaped start bodies against {_outpost}"));
        var violations = new Violations();
        for (var round = 0; round < rounds; round++)
        {
            var asyncFlags = RobustnessRun.Batch(Gen.Elements(true, false), 4_000 + round, cases.Count);
            var before = await ApiInvariants.TakeAsync(_outpost);
            var sent = new List<(StartCase?, RawRequest, RawAnswer)>();
            var accepted = new List<(Credentials, string, string, RawRequest)>();
            for (var i = 0; i < cases.Count; i++)
            {
                var shape = cases[i];
                var request = new RawRequest("POST", "/services")
                {
                    Body = shape.Body,
                    ContentType = "application/json",
                    Headers = asyncFlags[i] ? [("execution-type", "async")] : [],
                    Note = shape.What,
                };
                var answer = await _outpost.SendAsync(request);
                sent.Add((null, request, answer));
                ApiInvariants.CheckAnswer(request, answer, violations);
                var expected = asyncFlags[i] ? shape.Expected.Select(s => s == 200 ? 202 : s).ToArray() : shape.Expected;
                if (!expected.Contains(answer.Status))
                {
                    violations.Add($"{shape.What}: answered {answer.Status}, expected {string.Join("/", expected)}", $"{request.Describe()}  →  {answer}");
                }
                if (answer.Status is 200 or 202)
                {
                    accepted.Add((Credentials.Hub1, shape.Name, shape.StartId, request));
                }
            }
            await ApiInvariants.CheckAliveAsync(_outpost, violations, $"edge shapes round {round}");
            await ApiInvariants.CheckPollAndStopAsync(_outpost, accepted, violations);
            await ApiInvariants.SettleAsync(_outpost, before, TimeSpan.FromSeconds(20));
            await ApiInvariants.CheckNothingLeftAsync(_outpost, before, sent, violations);
        }
        output.WriteLine($"{rounds * cases.Count} starts sent, {violations.Count} violations");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Edge-shaped start bodies broke invariants")));
    }
}
