using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Requests that race: the same server started by several requests at once (sync and async mixed) — exactly one
/// wins (200/202), the others get 419, and one process runs; a start and a DELETE of the same server racing; many
/// servers started while others are polled and stopped. After each round the Outpost holds nothing more than before.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class ConcurrencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int IdenticalStarts = 6;
    private const int Races = 4;
    private const int Crowd = 8;
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(20);
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    /// <summary>One round's choices: which identical starts are async, and per race the start kind, the stop kind and the delay before the stop.</summary>
    private static FsCheck.Gen<(bool[] AsyncStarts, (bool AsyncStart, bool AsyncStop, int DelayMs)[] Races, bool[] CrowdAsync)> Round { get; } =
        from asyncStarts in Gen.ArrayOf(Gen.Elements(true, false), IdenticalStarts)
        from races in Gen.ArrayOf(
            from asyncStart in Gen.Elements(true, false)
            from asyncStop in Gen.Elements(true, false)
            from delay in Gen.Elements(0, 0, 5, 20, 60, 150)
            select (asyncStart, asyncStop, delay), Races)
        from crowd in Gen.ArrayOf(Gen.Elements(true, false), Crowd)
        select (asyncStarts, races, crowd);

    [Fact]
    public async Task Robustness_RacingStartsStopsAndPolls_KeepEveryInvariant()
    {
        var rounds = RobustnessRun.Count(4);
        output.WriteLine(RobustnessRun.Describe($"{rounds} rounds of racing requests against {_outpost}"));
        var violations = new Violations();
        for (var i = 0; i < rounds; i++)
        {
            var round = RobustnessRun.Batch(Round, 3_000 + i, 1)[0];
            var before = await ApiInvariants.TakeAsync(_outpost);
            var sent = new List<(StartCase?, RawRequest, RawAnswer)>();
            await IdenticalStartsAsync(i, round.AsyncStarts, before, sent, violations);
            await StartStopRacesAsync(i, round.Races, sent, violations);
            await CrowdAsync(i, round.CrowdAsync, sent, violations);
            await ApiInvariants.CheckAliveAsync(_outpost, violations, $"racing round {i}");
            await ApiInvariants.SettleAsync(_outpost, before, SettleTime);
            await ApiInvariants.CheckNothingLeftAsync(_outpost, before, sent, violations);
        }
        output.WriteLine($"{rounds} rounds, {violations.Count} violations");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Racing requests broke invariants")));
    }

    /// <summary>N identical starts at once: one 200/202, the others 419, one more server process, then it stops.</summary>
    private async Task IdenticalStartsAsync(int round, bool[] asyncStarts, ApiInvariants.Snapshot before, List<(StartCase?, RawRequest, RawAnswer)> sent, Violations violations)
    {
        var start = Generators.Valid("ida", $"same{round}", $"{round}");
        var cases = asyncStarts.Select(a => start with { Async = a }).ToArray();
        var answers = await Task.WhenAll(cases.Select(c => _outpost.SendAsync(c.ToRequest())));
        var requests = cases.Select(c => c.ToRequest()).ToArray();
        for (var k = 0; k < cases.Length; k++)
        {
            sent.Add((cases[k], requests[k], answers[k]));
            ApiInvariants.CheckAnswer(requests[k], answers[k], violations);
        }
        var shape = string.Join(" ", cases.Select((c, k) => $"{(c.Async ? "async" : "sync")}→{answers[k].Status}"));
        var winners = answers.Count(a => a.Status is 200 or 202);
        if (winners != 1 || answers.Any(a => a.Status is not (200 or 202 or 419)))
        {
            violations.Add($"not exactly one of {IdenticalStarts} identical starts won, the others 419", $"{requests[0].Describe()}  ×{IdenticalStarts} at once: {shape}");
        }
        if (winners == 1)
        {
            var running = await WaitForProcessesAsync(before.Processes.Count + 1);
            if (running != before.Processes.Count + 1)
            {
                violations.Add("identical starts did not run exactly one process", $"{shape}: {running - before.Processes.Count} processes");
            }
        }
        var path = OutpostUnderTest.ServerPath(start.PlainName!, start.PlainStartId!);
        await CheckAsync(new RawRequest("GET", path), [200], "poll of the winner", violations);
        await CheckAsync(new RawRequest("DELETE", path), [200], "stop of the winner", violations);
    }

    /// <summary>A start and a DELETE of the same server, the DELETE after a short delay: each answer is one of the documented ones.</summary>
    private async Task StartStopRacesAsync(int round, (bool AsyncStart, bool AsyncStop, int DelayMs)[] races, List<(StartCase?, RawRequest, RawAnswer)> sent, Violations violations)
    {
        await Task.WhenAll(races.Select(async (race, k) =>
        {
            var start = Generators.Valid("rae", $"race{round}x{k}", "1") with { Async = race.AsyncStart };
            var startRequest = start.ToRequest();
            var path = OutpostUnderTest.ServerPath(start.PlainName!, "1");
            var stopRequest = new RawRequest("DELETE", path) { Headers = race.AsyncStop ? [("execution-type", "async")] : [] };
            var starting = _outpost.SendAsync(startRequest);
            await Task.Delay(race.DelayMs);
            var stopAnswer = await _outpost.SendAsync(stopRequest);
            var startAnswer = await starting;
            sent.Add((start, startRequest, startAnswer));
            ApiInvariants.CheckAnswer(startRequest, startAnswer, violations);
            ApiInvariants.CheckAnswer(stopRequest, stopAnswer, violations);
            var shape = $"{startRequest.Describe()} →{startAnswer.Status}, {race.DelayMs} ms later {(race.AsyncStop ? "async " : "")}DELETE {path} →{stopAnswer.Status}";
            if (startAnswer.Status is not (200 or 202 or 419) || stopAnswer.Status is not (200 or 202 or 404))
            {
                violations.Add("start/stop race answered outside 200/202/419 and 200/202/404", shape);
            }
            // A stop that found nothing (404) came before the start: the start may stand, and must then be stoppable.
            if (stopAnswer.Status == 404 && startAnswer.Status is 200 or 202)
            {
                await CheckAsync(new RawRequest("DELETE", path), [200], "stop after a start that won the race", violations);
            }
        }));
    }

    /// <summary>Many different servers started at once (both hubs), then each polled while it is stopped.</summary>
    private async Task CrowdAsync(int round, bool[] crowdAsync, List<(StartCase?, RawRequest, RawAnswer)> sent, Violations violations)
    {
        var starts = crowdAsync.Select((a, k) => Generators.Valid($"u{k % 3}", $"crowd{round}x{k}", $"{k}") with
        {
            Async = a,
            Hub = k % 4 == 3 ? Credentials.Hub2 : Credentials.Hub1,
        }).ToArray();
        var requests = starts.Select(s => s.ToRequest()).ToArray();
        var answers = await Task.WhenAll(requests.Select(_outpost.SendAsync));
        for (var k = 0; k < starts.Length; k++)
        {
            sent.Add((starts[k], requests[k], answers[k]));
            ApiInvariants.CheckAnswer(requests[k], answers[k], violations);
            if (answers[k].Status is not (200 or 202))
            {
                violations.Add($"one of {Crowd} different concurrent starts was refused ({answers[k].Status})", $"{requests[k].Describe()}  →  {answers[k]}");
            }
        }
        await Task.WhenAll(starts.Select(async (s, k) =>
        {
            var path = OutpostUnderTest.ServerPath(s.PlainName!, s.PlainStartId!);
            var stop = new RawRequest("DELETE", path, s.Hub) { Headers = k % 2 == 0 ? [("execution-type", "async")] : [] };
            var polls = Enumerable.Range(0, 3).Select(_ => _outpost.SendAsync(new RawRequest("GET", path, s.Hub))).ToArray();
            var stopAnswer = await _outpost.SendAsync(stop);
            ApiInvariants.CheckAnswer(stop, stopAnswer, violations);
            if (stopAnswer.Status is not (200 or 202))
            {
                violations.Add($"stop of a started server answered {stopAnswer.Status}", $"{requests[k].Describe()}  then  {stop.Describe()}  →  {stopAnswer}");
            }
            foreach (var poll in await Task.WhenAll(polls))
            {
                ApiInvariants.CheckAnswer(new RawRequest("GET", path, s.Hub), poll, violations);
                if (poll.Status is not (200 or 404))
                {
                    violations.Add($"poll racing a stop answered {poll.Status}", $"GET {path} during {stop.Describe()}  →  {poll}");
                }
            }
        }));
    }

    private async Task CheckAsync(RawRequest request, int[] expected, string what, Violations violations)
    {
        var answer = await _outpost.SendAsync(request);
        ApiInvariants.CheckAnswer(request, answer, violations);
        if (!expected.Contains(answer.Status))
        {
            violations.Add($"{what} answered {answer.Status}", $"{request.Describe()}  →  {answer}");
        }
    }

    /// <summary>The number of server processes once it reaches <paramref name="expected"/> (and stays there briefly), or after 10 s.</summary>
    private async Task<int> WaitForProcessesAsync(int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_outpost.ServerProcesses().Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await Task.Delay(300); // a second start, if one slipped through, shows up meanwhile
        return _outpost.ServerProcesses().Count;
    }
}
