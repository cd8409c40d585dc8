using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Thousands of generated <c>POST /services</c> bodies against a real Outpost process, checked batch by batch
/// (<see cref="ApiInvariants"/>), plus what the correct answer to a known defect shape is: invalid text → 422 naming
/// the field; a non-JSON body → 422; a huge body → 413; <c>.</c>/<c>..</c> as name or start id → 422; certificate
/// files hold what the hub sent (a trust bundle never overwrites them).
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class StartBodyPropertyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 40;
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task Robustness_GeneratedStartBodies_KeepEveryInvariant()
    {
        var batches = RobustnessRun.Count(16);
        output.WriteLine(RobustnessRun.Describe($"{batches} batches of {BatchSize} start bodies against {_outpost}"));
        var violations = new Violations();
        var accepted = 0;
        for (var i = 0; i < batches; i++)
        {
            accepted += await RunBatchAsync(i, violations);
        }
        output.WriteLine($"{batches * BatchSize} starts sent, {accepted} accepted (polled and stopped), {violations.Count} violations");
        Assert.False(violations.Any, violations.Report(RobustnessRun.Describe("Start bodies broke invariants")));
    }

    private async Task<int> RunBatchAsync(int index, Violations violations)
    {
        var before = await ApiInvariants.TakeAsync(_outpost);
        var batch = new List<(StartCase? Case, RawRequest Request, RawAnswer Answer)>();
        var accepted = new List<(Credentials, string, string, RawRequest)>();
        foreach (var start in RobustnessRun.Batch(Generators.Start, index, BatchSize))
        {
            var request = start.ToRequest();
            var answer = await _outpost.SendAsync(request);
            batch.Add((start, request, answer));
            ApiInvariants.CheckAnswer(request, answer, violations);
            CheckExpectedAnswer(start, request, answer, violations);
            if (answer.Status is 200 or 202)
            {
                await CheckCertificatesAsync(start, request, answer, violations);
                if (start.PlainName is { } name && start.PlainStartId is { } startId)
                {
                    accepted.Add((start.Hub, name, startId, request));
                }
                else
                {
                    violations.Add("accepted a start whose name or start id is not valid text", $"{request.Describe()}  →  {answer}");
                }
            }
        }
        await ApiInvariants.CheckAliveAsync(_outpost, violations, $"start batch {index}");
        await ApiInvariants.CheckPollAndStopAsync(_outpost, accepted, violations);
        await ApiInvariants.CheckNothingLeftAsync(_outpost, before, batch, violations);
        return accepted.Count;
    }

    /// <summary>The answers the defect shapes must get (only where one answer is right whatever else the body holds).</summary>
    private static void CheckExpectedAnswer(StartCase start, RawRequest request, RawAnswer answer, Violations violations)
    {
        var example = $"{request.Describe()}  →  {answer}";
        if (start.Shape == BodyShape.Huge)
        {
            Expect(413, "a body over 4 MiB");
            return;
        }
        if (start.Shape is BodyShape.Form or BodyShape.Garbage)
        {
            Expect(422, "a body that is not JSON");
            return;
        }
        if (start.Hub is not (Credentials.Hub1 or Credentials.Hub2))
        {
            return;
        }
        foreach (var field in start.InvalidTextFields)
        {
            if (answer.Status != 422 || !ApiInvariants.NamesField(answer, field))
            {
                violations.Add($"invalid text in '{field}' not refused with 422 naming it (got {answer.Status})", example);
            }
        }
        if (start.PlainName is "." or ".." || start.PlainStartId is "." or "..")
        {
            Expect(422, "'.' or '..' as name or start id");
        }

        void Expect(int status, string what)
        {
            if (answer.Status != status)
            {
                violations.Add($"{what} not answered {status} (got {answer.Status})", example);
            }
        }
    }

    /// <summary>A synchronously started server's certificate files hold exactly what the hub sent.</summary>
    private async Task CheckCertificatesAsync(StartCase start, RawRequest request, RawAnswer answer, Violations violations)
    {
        if (answer.Status != 200 || start.PlainCerts is not { } certs || answer.TryParse()?.GetProperty("service").GetString() is not { Length: > 0 } address)
        {
            return;
        }
        var env = await _outpost.SendServerAsync(address, "/env");
        if (env is null)
        {
            violations.Add("started server does not answer on its address", $"{request.Describe()}  →  {answer}");
            return;
        }
        foreach (var (field, variable) in new[] { ("keyfile", "JUPYTERHUB_SSL_KEYFILE"), ("certfile", "JUPYTERHUB_SSL_CERTFILE"), ("cafile", "JUPYTERHUB_SSL_CLIENT_CA") })
        {
            var path = env.Value.TryGetProperty(variable, out var value) ? value.GetString() : null;
            var content = path is not null && File.Exists(path) ? await File.ReadAllTextAsync(path) : null;
            if (content != certs.GetValueOrDefault(field, ""))
            {
                violations.Add($"certificate file {field} does not hold what the hub sent", $"{request.Describe()}  →  {path}: {Display.Short(content ?? "(missing)", 60)}");
            }
        }
    }
}
