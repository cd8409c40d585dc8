using Outpost.Backends.Kubernetes;

namespace Outpost.Tests.Backends.Kubernetes;

public sealed class KubeNamesTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("", "")]
    [InlineData("Alice", "alice-3bc51062")]
    [InlineData("a.b", "a-b-2e7336dc")]
    [InlineData("a_b", "a-b-648fa9b3")]
    public void Escape_KeepsSafeNamesAndHashesOthers(string input, string expected) => Assert.Equal(expected, KubeNames.Escape(input));

    [Theory]
    [InlineData("ok-name", "ok-name")]
    [InlineData("1abc", "s-1abc")]
    [InlineData("Trailing--", "trailing")]
    public void DnsLabel_RepairsTheShape(string input, string expected) => Assert.Equal(expected, KubeNames.DnsLabel(input));

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("alice@example.org", "alice-example.org-7a64adf2")]
    public void LabelValue_IsValid(string input, string expected)
    {
        Assert.Equal(expected, KubeNames.LabelValue(input));
        Assert.True(KubeNames.IsLabelValue(KubeNames.LabelValue(input)));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("1K", 1024L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("2Gi", 2147483648L)]
    [InlineData("512M", 536870912L)]
    [InlineData("lots", null)]
    [InlineData("1X", null)]
    public void ByteQuantity_ReadsJupyterHubSizes(string input, long? bytes) => Assert.Equal(bytes, ByteQuantity.TryParse(input));

    [Theory]
    [InlineData(0.5, "500m")]
    [InlineData(2, "2")]
    [InlineData(0.1, "100m")]
    [InlineData(1.25, "1250m")]
    public void CpuQuantity_UsesMillicoresForFractions(double cores, string expected) => Assert.Equal(expected, CpuQuantity.Format(cores));
}
