using System.Net.Http.Headers;
using System.Text;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>Who a request claims to be.</summary>
public enum Credentials
{
    Hub1,
    Hub2,
    None,
    WrongPassword,
    Malformed,
}

/// <summary>
/// One generated request, sent exactly as written: the path is not canonicalized (so <c>/services/../x</c> and
/// <c>%2E%2E</c> reach the Outpost as they are) and the body is raw bytes.
/// </summary>
public sealed record RawRequest(string Method, string PathAndQuery, Credentials Auth = Credentials.Hub1)
{
    /// <summary>Header name and value pairs (besides Authorization and Content-Type).</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>What the body was made of, for reports (e.g. the mutations of a start body).</summary>
    public string? Note { get; init; }

    /// <summary>The path without its query.</summary>
    public string Path => PathAndQuery.Split('?')[0];

    public HttpRequestMessage ToMessage(string baseUrl)
    {
        var uri = new Uri(baseUrl + PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(Method), uri);
        var authorization = Auth switch
        {
            Credentials.Hub1 => Basic($"{OutpostHost.Hub1}:{OutpostHost.Password1}"),
            Credentials.Hub2 => Basic($"{OutpostHost.Hub2}:{OutpostHost.Password2}"),
            Credentials.WrongPassword => Basic($"{OutpostHost.Hub1}:not-the-password"),
            Credentials.Malformed => "Basic %%%not-base64",
            _ => null,
        };
        if (authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            // As curl does for large bodies: the Outpost can refuse (413) before the body is sent.
            message.Headers.ExpectContinue = Body.Length > 1024 * 1024 ? true : null;
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = null;
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }
        return message;
    }

    /// <summary>A curl command line that sends (nearly) the same request; long bodies and headers are shortened.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"curl -X {Method} 'http://127.0.0.1:PORT{Display.Short(PathAndQuery, 300)}'");
        if (Auth != Credentials.None)
        {
            text.Append($" [auth {Auth}]");
        }
        foreach (var (name, value) in Headers)
        {
            text.Append($" -H '{name}: {Display.Short(value, 40)}'");
        }
        if (Body is not null)
        {
            text.Append(ContentType is null ? " [no Content-Type]" : $" -H 'Content-Type: {ContentType}'");
            text.Append($" --data-binary $'{Display.Bytes(Body, 600)}'");
        }
        if (Note is not null)
        {
            text.Append($"   # {Note}");
        }
        return text.ToString();
    }

    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
}

/// <summary>What came back: the status (0 when no answer came) and the body.</summary>
public sealed record RawAnswer(int Status, byte[] Body, MediaTypeHeaderValue? ContentType, string? Failure)
{
    public bool IsJson => Body.Length > 0 && TryParse() is not null;

    public System.Text.Json.JsonElement? TryParse()
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public override string ToString() => Failure ?? $"{Status} {Display.Bytes(Body, 300)}";
}
