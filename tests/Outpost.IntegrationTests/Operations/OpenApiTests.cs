using System.Net.Http.Json;
using System.Text.Json;

namespace Outpost.IntegrationTests.Operations;

/// <summary>The OpenAPI document names every status code each route answers with, so clients and readers see every outcome.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private const string Hub = "401 429"; // what hub authentication answers on every hub route

    /// <summary>Every described route with the codes it answers; a route missing here or answering more fails the test.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["GET /ping"] = "200",
        ["GET /services"] = $"200 {Hub} 422",
        ["POST /services"] = $"200 202 {Hub} 413 419 422",
        ["GET /services/{path}"] = $"200 {Hub} 404 419",
        ["DELETE /services/{path}"] = $"200 202 {Hub} 404 419",
        ["GET /flavors"] = $"200 {Hub}",
        ["POST /userflavors"] = $"200 {Hub} 413 422",
        ["GET /profiles"] = $"200 {Hub}",
    };

    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task Document_ListsEveryStatusCodeOfEveryRoute()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_outpost.BaseUrl) };
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var described = new Dictionary<string, string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("responses", out _)))
            {
                var codes = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal);
                described[$"{operation.Name.ToUpperInvariant()} {path.Name}"] = string.Join(" ", codes);
            }
        }

        var expected = Expected.ToDictionary(p => p.Key, p => string.Join(" ", p.Value.Split(' ').Order(StringComparer.Ordinal)));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), described.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Document_DescribesTheRefusalBody()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_outpost.BaseUrl) };
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var refusal = document.GetProperty("paths").GetProperty("/services").GetProperty("post").GetProperty("responses").GetProperty("419");
        var schema = refusal.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var properties = Resolve(document, schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["args", "class", "kwargs", "module", "traceback"], properties);
    }

    [Fact]
    public async Task Document_DescribesTheListsPollParameter()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_outpost.BaseUrl) };
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var parameters = document.GetProperty("paths").GetProperty("/services").GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
        var poll = Assert.Single(parameters, p => p.GetProperty("name").GetString() == "poll");
        Assert.Equal("query", poll.GetProperty("in").GetString());
        Assert.Equal("boolean", poll.GetProperty("schema").GetProperty("type").GetString());
        Assert.False(poll.TryGetProperty("required", out var required) && required.GetBoolean());
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
