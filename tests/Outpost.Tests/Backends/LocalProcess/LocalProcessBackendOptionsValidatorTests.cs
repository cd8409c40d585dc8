using Outpost.Backends.LocalProcess;

namespace Outpost.Tests.Backends.LocalProcess;

public sealed class LocalProcessBackendOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(new LocalProcessBackendOptions()).Succeeded);

    [Theory]
    [InlineData("::1")]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    public void Validate_IpAddress_Succeeds(string ip) => Assert.True(Validate(new LocalProcessBackendOptions { Ip = ip }).Succeeded);

    public static TheoryData<LocalProcessBackendOptions, string> BadOptions() => new()
    {
        { new LocalProcessBackendOptions { Command = [""] }, "Outpost:Backends:Local:Command" },
        { new LocalProcessBackendOptions { Command = ["jupyterhub-singleuser", " "] }, "Outpost:Backends:Local:Command" },
        { new LocalProcessBackendOptions { Ip = "localhost" }, "Outpost:Backends:Local:Ip" },
        { new LocalProcessBackendOptions { Ip = "" }, "Outpost:Backends:Local:Ip" },
        { new LocalProcessBackendOptions { StopGraceSeconds = -1 }, "Outpost:Backends:Local:StopGraceSeconds" },
        { new LocalProcessBackendOptions { StopGraceSeconds = 3601 }, "Outpost:Backends:Local:StopGraceSeconds" },
        { new LocalProcessBackendOptions { MaxLogBytes = 4095 }, "Outpost:Backends:Local:MaxLogBytes" },
        { new LocalProcessBackendOptions { MaxLogBytes = 268435457 }, "Outpost:Backends:Local:MaxLogBytes" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadValue_FailsNamingTheKey(LocalProcessBackendOptions options, string key) =>
        Assert.Contains(key, Assert.Single(Validate(options).Failures!));

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(LocalProcessBackendOptions options) =>
        new LocalProcessBackendOptionsValidator().Validate(null, options);
}
