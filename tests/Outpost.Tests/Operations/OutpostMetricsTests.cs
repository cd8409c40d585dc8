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
}
