using Outpost.Operations;

namespace Outpost.Tests.Operations;

public sealed class OutpostMetricsTests
{
    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("CONNECT", "CONNECT")]
    [InlineData("get", "OTHER")]
    [InlineData("PROPFIND", "OTHER")]
    [InlineData("M00001X", "OTHER")]
    [InlineData("", "OTHER")]
    public void MethodLabel_UnknownMethods_AreOther(string method, string expected) =>
        Assert.Equal(expected, OutpostMetrics.MethodLabel(method));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("line\nfeed", "line\\nfeed")]
    public void Escape_LabelValues_FollowTheTextFormat(string value, string expected) =>
        Assert.Equal(expected, OutpostMetrics.Escape(value));
}
