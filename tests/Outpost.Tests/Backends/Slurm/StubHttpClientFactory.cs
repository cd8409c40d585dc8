using System.Net;

namespace Outpost.Tests.Backends.Slurm;

/// <summary>Hands out clients whose every request either answers 200 or fails to connect, as <see cref="Answers"/> decides.</summary>
internal sealed class StubHttpClientFactory(Func<Uri, bool> answers) : IHttpClientFactory
{
    public List<Uri> Requests { get; } = [];

    public Func<Uri, bool> Answers { get; set; } = answers;

    public HttpClient CreateClient(string name) => new(new Handler(this));

    private sealed class Handler(StubHttpClientFactory owner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (owner.Requests)
            {
                owner.Requests.Add(request.RequestUri!);
            }
            return owner.Answers(request.RequestUri!)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK))
                : Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused"));
        }
    }
}
