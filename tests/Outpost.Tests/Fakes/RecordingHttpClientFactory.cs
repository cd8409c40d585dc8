using System.Net;

namespace Outpost.Tests.Fakes;

/// <summary>
/// Hands out clients whose handler records every request (method, URL, Authorization, body) and answers
/// with a status chosen by <see cref="Respond"/>; the default is 200.
/// </summary>
public sealed class RecordingHttpClientFactory : IHttpClientFactory
{
    private readonly Handler _handler;

    public RecordingHttpClientFactory()
    {
        _handler = new Handler(this);
    }

    /// <summary>Chooses the answer for a request: a status code, or throw to simulate a network failure.</summary>
    public Func<RecordedRequest, HttpStatusCode> Respond { get; set; } = _ => HttpStatusCode.OK;

    /// <summary>The answer's JSON body for a request; null (the default): no body.</summary>
    public Func<RecordedRequest, string?> RespondBody { get; set; } = _ => null;

    /// <summary>Runs after a request is recorded and before it is answered (with the request's token), e.g. to hold the answer back.</summary>
    public Func<RecordedRequest, CancellationToken, Task>? BeforeAnswer { get; set; }

    public List<RecordedRequest> Requests { get; } = [];

    public List<string> ClientNames { get; } = [];

    public HttpClient CreateClient(string name)
    {
        lock (Requests)
        {
            ClientNames.Add(name);
        }
        return new HttpClient(_handler, disposeHandler: false);
    }

    public sealed record RecordedRequest(HttpMethod Method, Uri? Url, string? Authorization, string Body);

    private sealed class Handler(RecordingHttpClientFactory owner) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var recorded = new RecordedRequest(request.Method, request.RequestUri, request.Headers.Authorization?.ToString(), body);
            lock (owner.Requests)
            {
                owner.Requests.Add(recorded);
            }
            if (owner.BeforeAnswer is { } beforeAnswer)
            {
                await beforeAnswer(recorded, cancellationToken);
            }
            var response = new HttpResponseMessage(owner.Respond(recorded)) { RequestMessage = request };
            if (owner.RespondBody(recorded) is { } json)
            {
                response.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }
            return response;
        }
    }
}
