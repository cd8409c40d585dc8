using System.Text;
using System.Text.Json;
using Outpost.Wire;

namespace Outpost.Tests.Wire;

public sealed class JsonRequestBodyTests
{
    [Theory]
    [InlineData("""{"a": "ok", "b": ["x", "\ud800"]}""", "body/b/1")]
    [InlineData("""{"env": {"K": "\udc00x"}}""", "body/env/K")]
    [InlineData("""{"env": {"\ud800": 1}}""", "body/env/key 0")]
    [InlineData("""["\ud83d"]""", "body/0")]
    [InlineData("""{"ok": "\ud83d\ude00", "bad": "\ud83d"}""", "body/bad")]
    public void InvalidText_NamesWhereTheStringIsNotText(string json, string where)
    {
        using var document = JsonDocument.Parse(json);
        var error = Assert.Single(JsonRequestBody.InvalidText(document.RootElement));
        Assert.Equal("string_unicode", error.Type);
        Assert.Equal(where, string.Join("/", error.Loc));
    }

    [Fact]
    public void InvalidText_ListsEveryPlace()
    {
        using var document = JsonDocument.Parse("""{"name": "\ud800", "env": {"A": "\udc00", "\ud800": 1}, "ok": "fine"}""");
        Assert.Equal(["body/name", "body/env/A", "body/env/key 1"], JsonRequestBody.InvalidText(document.RootElement).Select(e => string.Join("/", e.Loc)));
    }

    [Fact]
    public void InvalidText_InvalidUtf8Bytes_AreFound()
    {
        using var document = JsonDocument.Parse(new byte[] { (byte)'{', (byte)'"', (byte)'n', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' });
        Assert.Equal("body/n", string.Join("/", Assert.Single(JsonRequestBody.InvalidText(document.RootElement)).Loc));
    }

    [Theory]
    [InlineData("""{"name": "ü 😀", "n": [1, true, null, {"k": "v"}]}""")]
    [InlineData("\"plain\"")]
    [InlineData("42")]
    public void InvalidText_ValidText_FindsNothing(string json)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Empty(JsonRequestBody.InvalidText(document.RootElement));
    }
}
