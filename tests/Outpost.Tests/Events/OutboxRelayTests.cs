using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Events;

public sealed class OutboxRelayTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryEventOutbox _outbox;
    private readonly RecordingHttpClientFactory _http = new();
    private readonly EventsOptions _options = new() { InitialBackoffMilliseconds = 500, MaxBackoffSeconds = 60, MaxAgeHours = 24 };
    private readonly OutboxRelay _relay;

    public OutboxRelayTests()
    {
        _outbox = new InMemoryEventOutbox(_time);
        _relay = new OutboxRelay(_outbox, _http, Options.Create(_options), new OutpostMetrics(), new SingleReplica(new ReplicaIdentity("test")), _time, NullLogger<OutboxRelay>.Instance);
    }

    [Fact]
    public async Task DeliverDueAsync_NothingPending_ReturnsNull()
    {
        Assert.Null(await _relay.DeliverDueAsync(CancellationToken.None));
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task DeliverDueAsync_EventsOfOneServer_GoOutInOrderWithToken()
    {
        Add("s1", "one", token: "tok-1");
        Add("s2", "other", token: "tok-2");
        Add("s1", "two", token: "tok-1");
        Add("s1", "three", token: "tok-1");

        var next = await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Null(next);
        Assert.Empty(_outbox.Events);
        var s1 = _http.Requests.Where(r => r.Url!.AbsolutePath == "/events/s1").ToList();
        Assert.Equal(["one", "two", "three"], s1.Select(r => r.Body));
        Assert.All(s1, r => Assert.Equal("token tok-1", r.Authorization));
        Assert.All(s1, r => Assert.Equal(HttpMethod.Post, r.Method));
        Assert.Equal("token tok-2", Assert.Single(_http.Requests, r => r.Url!.AbsolutePath == "/events/s2").Authorization);
        Assert.All(_http.ClientNames, n => Assert.Equal(OutboxRelay.HttpClientName, n));
    }

    [Fact]
    public async Task DeliverDueAsync_ServerError_ReschedulesWithBackoffAndBlocksOnlyThatServer()
    {
        var failing = Add("s1", "one");
        Add("s1", "two");
        Add("s2", "other");
        _http.Respond = r => r.Body == "one" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["one", "other"], _http.Requests.Select(r => r.Body).Order(StringComparer.Ordinal));
        Assert.Equal([failing], _outbox.Events.Where(e => e.Body == "one").Select(e => e.Id));
        Assert.Equal(["one", "two"], _outbox.Events.Select(e => e.Body));
        var rescheduled = _outbox.Events[0];
        Assert.Equal(1, rescheduled.Attempts);
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(500), rescheduled.NextAttemptAt);
    }

    [Fact]
    public async Task DeliverDueAsync_ARetryFallsDueWhileThePassRuns_AsksForAnotherPassAtOnce()
    {
        Add("s1", "one");
        _http.Respond = _ => HttpStatusCode.InternalServerError;
        await _relay.DeliverDueAsync(CancellationToken.None); // "one" waits until 500 ms from now
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Add("s2", "slow");
        _http.Respond = r =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(300)); // the hub takes long: "one" falls due meanwhile
            return HttpStatusCode.OK;
        };

        var next = await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.Zero, next);
        Assert.Equal(["one"], _outbox.Events.Select(e => e.Body));
        Assert.Null(await _relay.DeliverDueAsync(CancellationToken.None)); // that pass sends it
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public async Task DeliverDueAsync_BeforeRetryIsDue_SendsNothingAndReturnsTheWait()
    {
        Add("s1", "one");
        Add("s1", "two");
        _http.Respond = _ => HttpStatusCode.InternalServerError;
        await _relay.DeliverDueAsync(CancellationToken.None);
        _http.Requests.Clear();
        _time.Advance(TimeSpan.FromMilliseconds(200));

        var next = await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Empty(_http.Requests);
        Assert.Equal(TimeSpan.FromMilliseconds(300), next);
    }

    [Fact]
    public async Task DeliverDueAsync_RepeatedFailures_DoubleTheBackoffUpToTheMaximum()
    {
        Add("s1", "one");
        _http.Respond = _ => HttpStatusCode.ServiceUnavailable;
        var delays = new List<TimeSpan>();

        for (var i = 0; i < 10; i++)
        {
            await _relay.DeliverDueAsync(CancellationToken.None);
            var delay = _outbox.Events[0].NextAttemptAt - _time.GetUtcNow();
            delays.Add(delay);
            _time.Advance(delay);
        }

        Assert.Equal(
            [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60],
            delays.Select(d => d.TotalSeconds));
        Assert.Equal(10, _outbox.Events[0].Attempts);
    }

    [Fact]
    public async Task DeliverDueAsync_AfterRetryIsDue_DeliversInOrder()
    {
        Add("s1", "one");
        Add("s1", "two");
        _http.Respond = _ => HttpStatusCode.BadGateway;
        await _relay.DeliverDueAsync(CancellationToken.None);
        _http.Respond = _ => HttpStatusCode.OK;
        _http.Requests.Clear();
        _time.Advance(TimeSpan.FromMilliseconds(500));

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["one", "two"], _http.Requests.Select(r => r.Body));
        Assert.Empty(_outbox.Events);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task DeliverDueAsync_ClientError_DropsTheEventAndContinues(HttpStatusCode status)
    {
        Add("s1", "one");
        Add("s1", "two");
        _http.Respond = r => r.Body == "one" ? status : HttpStatusCode.OK;

        var next = await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(["one", "two"], _http.Requests.Select(r => r.Body));
        Assert.Empty(_outbox.Events);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task DeliverDueAsync_TimeoutOrThrottling_IsRetried(HttpStatusCode status)
    {
        Add("s1", "one");
        _http.Respond = _ => status;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(1, Assert.Single(_outbox.Events).Attempts);
    }

    [Fact]
    public async Task DeliverDueAsync_NetworkError_IsRetried()
    {
        Add("s1", "one");
        Add("s2", "other");
        _http.Respond = r => r.Body == "one" ? throw new HttpRequestException("connection refused") : HttpStatusCode.OK;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(1, Assert.Single(_outbox.Events).Attempts);
    }

    [Fact]
    public async Task DeliverDueAsync_UnusableUrl_DoesNotStopOtherServers()
    {
        Add("s1", "one", url: "not-an-absolute-url");
        Add("s2", "other");

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["other"], _http.Requests.Select(r => r.Body));
        Assert.Equal(1, Assert.Single(_outbox.Events).Attempts);
    }

    [Fact]
    public async Task DeliverDueAsync_FailingEventOlderThanMaxAge_IsDropped()
    {
        Add("s1", "old", createdAt: _time.GetUtcNow().AddHours(-25));
        Add("s1", "new");
        _http.Respond = r => r.Body == "old" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["old", "new"], _http.Requests.Select(r => r.Body));
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public async Task DeliverDueAsync_FailingEventYoungerThanMaxAge_IsKept()
    {
        Add("s1", "recent", createdAt: _time.GetUtcNow().AddHours(-23));
        _http.Respond = _ => HttpStatusCode.InternalServerError;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Single(_outbox.Events);
    }

    [Fact]
    public async Task DeliverDueAsync_TermEndsWhileTheHubAnswers_TheNextTermSendsTheSameBodyAgain()
    {
        var logger = new RecordingLogger<OutboxRelay>();
        var relay = new OutboxRelay(_outbox, _http, Options.Create(_options), new OutpostMetrics(), new SingleReplica(new ReplicaIdentity("test")), _time, logger);
        Add("s1", """{"progress":30,"message":"one","id":"e1"}""");
        using var term = new CancellationTokenSource();
        _http.BeforeAnswer = async (_, ct) =>
        {
            // The hub has the event (it is recorded); the term ends before its answer is read.
            await term.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relay.DeliverDueAsync(term.Token));
        _http.BeforeAnswer = null;
        await relay.DeliverDueAsync(CancellationToken.None); // the next term

        Assert.Equal(["""{"progress":30,"message":"one","id":"e1"}""", """{"progress":30,"message":"one","id":"e1"}"""], _http.Requests.Select(r => r.Body));
        Assert.Empty(_outbox.Events);
        Assert.Contains(logger.Entries, e => e.Message == "Delivery of an event for s1 was interrupted (leadership ended or the Outpost stops); it will be sent again");
    }

    [Fact]
    public async Task DeliverDueAsync_AHubThatTakesBatches_GetsAServersEventsInOneRequestAndAnswersEach()
    {
        const string url = "https://hub.example/events/s1?batch=true";
        Add("s1", """{"progress":0}""", url: url);
        Add("s1", """{"progress":30}""", url: url);
        Add("s1", """{"progress":50}""", url: url);
        Add("s2", """{"progress":0}""", url: "https://hub.example/events/s2");
        Add("s2", """{"progress":30}""", url: "https://hub.example/events/s2");
        _http.RespondBody = r => r.Url!.Query == "?batch=true" ? """{"statuses":[204,400,204]}""" : null;

        await _relay.DeliverDueAsync(CancellationToken.None);

        var batch = Assert.Single(_http.Requests, r => r.Url!.AbsolutePath == "/events/s1");
        Assert.Equal("""[{"progress":0},{"progress":30},{"progress":50}]""", batch.Body);
        Assert.Equal(2, _http.Requests.Count(r => r.Url!.AbsolutePath == "/events/s2")); // no batch=true: one by one
        Assert.Empty(_outbox.Events);
        Assert.Equal([EventOutcomes.Delivered, EventOutcomes.Refused(400), EventOutcomes.Delivered],
            _outbox.Finished.Where(e => e.Server == "s1").Select(e => e.Outcome));
    }

    [Fact]
    public async Task DeliverDueAsync_ABatchAnsweredWithoutAStatusPerEvent_CountsTheAnswerForEveryEvent()
    {
        const string url = "https://hub.example/events/s1?x=1&batch=TRUE";
        Add("s1", """{"progress":0}""", url: url);
        Add("s1", """{"progress":30}""", url: url);
        _http.RespondBody = _ => """{"statuses":[204]}""";

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Single(_http.Requests);
        Assert.Equal([EventOutcomes.Delivered, EventOutcomes.Delivered], _outbox.Finished.Select(e => e.Outcome));
    }

    [Fact]
    public async Task DeliverDueAsync_AFailedBatch_IsRetriedFirstEventAloneThenTheRestTogether()
    {
        const string url = "https://hub.example/events/s1?batch=true";
        Add("s1", """{"progress":0}""", url: url);
        Add("s1", """{"progress":30}""", url: url);
        Add("s1", """{"progress":50}""", url: url);
        _http.Respond = _ => HttpStatusCode.ServiceUnavailable;

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Single(_http.Requests);
        Assert.Equal([1, 0, 0], _outbox.Events.Select(e => e.Attempts));
        _http.Respond = _ => HttpStatusCode.OK;
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["""{"progress":0}""", """[{"progress":30},{"progress":50}]"""], _http.Requests.Skip(1).Select(r => r.Body));
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public async Task DeliverDueAsync_EventsWithAnotherTokenOrUrl_AreNotJoined()
    {
        Add("s1", """{"progress":0}""", token: "a", url: "https://hub.example/events/s1?batch=true");
        Add("s1", """{"progress":30}""", token: "b", url: "https://hub.example/events/s1?batch=true");
        Add("s1", """{"progress":50}""", token: "b", url: "https://hub.example/events/s1?batch=false");

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["""{"progress":0}""", """{"progress":30}""", """{"progress":50}"""], _http.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task DeliverDueAsync_WhileAStartGathers_KeepsItsEventsBack_ThenSendsThemInOneRequest()
    {
        const string url = "https://hub.example/events/s1?batch=true";
        var gathering = _relay.GatherStartEvents("s1");
        Add("s1", """{"progress":0}""", url: url);
        Add("s1", """{"progress":30}""", url: url);
        Add("s2", """{"progress":0}""", url: "https://hub.example/events/s2?batch=true");

        var wait = await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromMilliseconds(500), wait); // the gathering's limit
        Assert.Equal("/events/s2", Assert.Single(_http.Requests).Url!.AbsolutePath);
        Add("s1", """{"progress":90}""", url: url);
        gathering.Dispose();
        Assert.Null(await _relay.DeliverDueAsync(CancellationToken.None));

        Assert.Equal("""[{"progress":0},{"progress":30},{"progress":90}]""", _http.Requests[1].Body);
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public async Task DeliverDueAsync_AStartLongerThanTheGatheringLimit_GetsItsEventsAsTheyCome()
    {
        const string url = "https://hub.example/events/s1?batch=true";
        using var gathering = _relay.GatherStartEvents("s1");
        Add("s1", """{"progress":0}""", url: url);
        await _relay.DeliverDueAsync(CancellationToken.None);
        Assert.Empty(_http.Requests);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await _relay.DeliverDueAsync(CancellationToken.None);
        Add("s1", """{"progress":30}""", url: url);
        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["""{"progress":0}""", """{"progress":30}"""], _http.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task DeliverDueAsync_AHubWithoutBatchesOrGatheringTurnedOff_IsNotKeptWaiting()
    {
        using var original = _relay.GatherStartEvents("s1");
        Add("s1", """{"progress":0}""", url: "https://hub.example/events/s1");
        _options.GatherStartEventsMilliseconds = 0;
        using var off = _relay.GatherStartEvents("s2");
        Add("s2", """{"progress":0}""", url: "https://hub.example/events/s2?batch=true");

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(2, _http.Requests.Count);
    }

    [Fact]
    public async Task DeliverDueAsync_ARetryOfAGatheringStart_IsNotKeptWaiting()
    {
        const string url = "https://hub.example/events/s1?batch=true";
        Add("s1", """{"progress":0}""", url: url);
        _http.Respond = _ => HttpStatusCode.ServiceUnavailable;
        await _relay.DeliverDueAsync(CancellationToken.None);
        _http.Respond = _ => HttpStatusCode.OK;
        _time.Advance(TimeSpan.FromMilliseconds(500)); // the retry is due
        using var gathering = _relay.GatherStartEvents("s1");

        await _relay.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(2, _http.Requests.Count);
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public void Wake_ForAGatheringStart_WaitsForTheGatheringsLimit()
    {
        using var gathering = _relay.GatherStartEvents("s1");

        _relay.Wake("s1", "https://hub.example/events/s1?batch=true");
        Assert.False(_relay.WakeRequested);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(_relay.WakeRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_relay.WakeRequested);
    }

    [Fact]
    public void Wake_WhenTheStartEnds_SendsWhatWaited()
    {
        var gathering = _relay.GatherStartEvents("s1");
        _relay.Wake("s1", "https://hub.example/events/s1?batch=true");

        gathering.Dispose();

        Assert.True(_relay.WakeRequested);
    }

    [Fact]
    public void Wake_ForAHubWithoutBatches_IsNotHeldBack()
    {
        using var gathering = _relay.GatherStartEvents("s1");

        _relay.Wake("s1", "https://hub.example/events/s1");

        Assert.True(_relay.WakeRequested);
    }

    private long Add(string server, string body, string token = "tok", string? url = null, DateTimeOffset createdAt = default) =>
        _outbox.Add(new OutboxEvent
        {
            Hub = "hub1",
            Server = server,
            Url = url ?? $"https://hub.example/events/{server}",
            Token = token,
            Body = body,
            CreatedAt = createdAt,
        });
}
