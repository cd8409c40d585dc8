using Outpost.Hubs;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Hubs;

public sealed class HubCredentialsTests
{
    private const int FastIterations = 10_000;
    private readonly InMemoryHubStore _store = new();
    private readonly TestOptionsMonitor<HubsOptions> _options = new(new HubsOptions());

    [Theory]
    [InlineData("pw-configured", true)]
    [InlineData("pw-wrong", false)]
    [InlineData("", false)]
    public async Task VerifyAsync_ConfiguredPassword_MatchesOnlyThatPassword(string password, bool expected)
    {
        Configure("hub1", new HubOptions { Password = "pw-configured" });

        Assert.Equal(expected, await Credentials().VerifyAsync("hub1", password, CancellationToken.None));
        Assert.Equal(0, _store.Lookups);
    }

    [Theory]
    [InlineData("pw-hashed", true)]
    [InlineData("pw-wrong", false)]
    public async Task VerifyAsync_ConfiguredHash_MatchesOnlyThatPassword(string password, bool expected)
    {
        Configure("hub1", new HubOptions { PasswordHash = PasswordHash.Create("pw-hashed", FastIterations) });

        Assert.Equal(expected, await Credentials().VerifyAsync("hub1", password, CancellationToken.None));
        Assert.Equal(0, _store.Lookups);
    }

    [Theory]
    [InlineData("pw-stored", true)]
    [InlineData("pw-wrong", false)]
    public async Task VerifyAsync_StoredHash_MatchesOnlyThatPassword(string password, bool expected)
    {
        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-stored", FastIterations));

        Assert.Equal(expected, await Credentials().VerifyAsync("hub1", password, CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_UnknownHub_IsFalse()
    {
        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-stored", FastIterations));
        Configure("hub2", new HubOptions { Password = "pw-configured" });

        Assert.False(await Credentials().VerifyAsync("hub3", "pw-stored", CancellationToken.None));
        Assert.False(await Credentials().VerifyAsync("hub3", "pw-configured", CancellationToken.None));
        Assert.False(await Credentials().VerifyAsync("HUB1", "pw-stored", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_OtherHubsPassword_IsFalse()
    {
        Configure("hub1", new HubOptions { Password = "pw-one" });
        Configure("hub2", new HubOptions { Password = "pw-two" });

        Assert.False(await Credentials().VerifyAsync("hub1", "pw-two", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_WrongPasswordAfterSuccess_IsStillFalse()
    {
        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-stored", FastIterations));
        var credentials = Credentials();

        Assert.True(await credentials.VerifyAsync("hub1", "pw-stored", CancellationToken.None));
        Assert.True(await credentials.VerifyAsync("hub1", "pw-stored", CancellationToken.None));
        Assert.False(await credentials.VerifyAsync("hub1", "pw-wrong", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_StoredHashChanged_OldPasswordFails()
    {
        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-old", FastIterations));
        var credentials = Credentials();
        Assert.True(await credentials.VerifyAsync("hub1", "pw-old", CancellationToken.None));

        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-new", FastIterations));

        Assert.False(await credentials.VerifyAsync("hub1", "pw-old", CancellationToken.None));
        Assert.True(await credentials.VerifyAsync("hub1", "pw-new", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_ConfiguredHubWithoutSecret_FallsBackToStore()
    {
        Configure("hub1", new HubOptions { AllowedEnv = ["X"] });
        await _store.SetPasswordHashAsync("hub1", PasswordHash.Create("pw-stored", FastIterations));

        Assert.True(await Credentials().VerifyAsync("hub1", "pw-stored", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_EveryKindOfFailure_RunsOnePbkdf2_LikeAWrongPasswordForAHashedHub()
    {
        Configure("clear", new HubOptions { Password = "pw-configured" });
        Configure("hashed", new HubOptions { PasswordHash = PasswordHash.Create("pw-hashed", FastIterations) });
        await _store.SetPasswordHashAsync("stored", PasswordHash.Create("pw-stored", FastIterations));
        var credentials = Credentials();

        foreach (var (hub, password) in new[] { ("unknown", "pw-guess"), ("CLEAR", "pw-configured"), ("clear", "pw-guess"), ("hashed", "pw-guess"), ("stored", "pw-guess") })
        {
            var before = credentials.HashVerifications;
            Assert.False(await credentials.VerifyAsync(hub, password, CancellationToken.None));
            Assert.True(credentials.HashVerifications == before + 1, $"{hub}: {credentials.HashVerifications - before} PBKDF2 verifications");
        }
    }

    [Fact]
    public async Task VerifyAsync_RightClearTextPassword_RunsNoPbkdf2()
    {
        Configure("clear", new HubOptions { Password = "pw-configured" });
        var credentials = Credentials();

        Assert.True(await credentials.VerifyAsync("clear", "pw-configured", CancellationToken.None));
        Assert.Equal(0, credentials.HashVerifications);
    }

    private void Configure(string hub, HubOptions options) => _options.CurrentValue.Hubs[hub] = options;

    private HubCredentials Credentials() => new(Microsoft.Extensions.Options.Options.Create(_options.CurrentValue), _store, Microsoft.Extensions.Options.Options.Create(new AuthLimitsOptions()));
}
