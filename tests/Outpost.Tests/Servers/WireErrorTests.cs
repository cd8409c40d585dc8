using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class WireErrorTests
{
    [Fact]
    public void From_Exception_WritesAllFiveKeys()
    {
        var json = Serialize(WireError.From(new OutpostRefusal("Flavor 'big' is full.")));

        Assert.Equal(["module", "class", "traceback", "args", "kwargs"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("OutpostRefusal", json.GetProperty("class").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("module").GetString()));
        Assert.Contains("Flavor 'big' is full.", json.GetProperty("traceback").GetString());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("kwargs").ValueKind);
        Assert.Empty(json.GetProperty("kwargs").EnumerateObject());
    }

    [Fact]
    public void From_Message_IsFirstArg()
    {
        var json = Serialize(WireError.From("BackendError", "no capacity"));

        var args = json.GetProperty("args");
        Assert.Equal(JsonValueKind.Array, args.ValueKind);
        Assert.Equal("no capacity", args[0].GetString());
        Assert.Equal("BackendError", json.GetProperty("class").GetString());
    }

    [Fact]
    public void StatusCode_Is419() => Assert.Equal(419, WireError.StatusCode);

    private static JsonElement Serialize(WireError error) => JsonDocument.Parse(JsonSerializer.Serialize(error)).RootElement;
}
