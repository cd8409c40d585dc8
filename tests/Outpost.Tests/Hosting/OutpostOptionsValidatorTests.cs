using Outpost.Hosting;

namespace Outpost.Tests.Hosting;

public sealed class OutpostOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(new OutpostOptions()).Succeeded);

    [Theory]
    [InlineData(nameof(OutpostOptions.DataDir), "", "Outpost:DataDir")]
    [InlineData(nameof(OutpostOptions.DataDir), "  ", "Outpost:DataDir")]
    [InlineData(nameof(OutpostOptions.MaxRequestBytes), 1023, "Outpost:MaxRequestBytes")]
    [InlineData(nameof(OutpostOptions.MaxRequestBytes), 268435457, "Outpost:MaxRequestBytes")]
    [InlineData(nameof(OutpostOptions.StartTimeoutSeconds), 0, "Outpost:StartTimeoutSeconds")]
    [InlineData(nameof(OutpostOptions.StartTimeoutSeconds), 86401, "Outpost:StartTimeoutSeconds")]
    [InlineData(nameof(OutpostOptions.LogLines), -1, "Outpost:LogLines")]
    [InlineData(nameof(OutpostOptions.LogLines), 100001, "Outpost:LogLines")]
    public void Validate_BadValue_FailsNamingTheKey(string property, object value, string key)
    {
        var options = new OutpostOptions();
        typeof(OutpostOptions).GetProperty(property)!.SetValue(options, value);

        var result = Validate(options);

        Assert.Contains(key, Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(nameof(OutpostOptions.MaxRequestBytes), 1024)]
    [InlineData(nameof(OutpostOptions.MaxRequestBytes), 268435456)]
    [InlineData(nameof(OutpostOptions.StartTimeoutSeconds), 1)]
    [InlineData(nameof(OutpostOptions.StartTimeoutSeconds), 86400)]
    [InlineData(nameof(OutpostOptions.LogLines), 0)]
    [InlineData(nameof(OutpostOptions.LogLines), 100000)]
    public void Validate_BoundaryValue_Succeeds(string property, int value)
    {
        var options = new OutpostOptions();
        typeof(OutpostOptions).GetProperty(property)!.SetValue(options, value);

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEach()
    {
        var result = Validate(new OutpostOptions { DataDir = "", LogLines = -1, StartTimeoutSeconds = 0, MaxRequestBytes = 0 });

        Assert.Equal(4, result.Failures!.Count());
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(OutpostOptions options) =>
        new OutpostOptionsValidator().Validate(null, options);
}
