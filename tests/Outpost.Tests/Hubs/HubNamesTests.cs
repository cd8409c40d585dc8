using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class HubNamesTests
{
    [Theory]
    [InlineData("teaching", "TEACHING", true)]
    [InlineData("teaching", "Teaching", true)]
    [InlineData("teaching", "ｔｅａｃｈｉｎｇ", true)] // full-width letters: equal after NFKC
    [InlineData("hub-1", "ＨＵＢ－１", true)]
    [InlineData("teaching", "teaching", false)] // the same name is no collision
    [InlineData("teaching", "teaching2", false)]
    public void Collide_CaseOrCompatibilityForm_Collides(string a, string b, bool expected) =>
        Assert.Equal(expected, HubNames.Collide(a, b));

    [Fact]
    public void Collisions_GroupsEverySpelling_Ordinally()
    {
        var collisions = HubNames.Collisions(["central", "teaching", "TEACHING", "Teaching", "teaching"]);

        var group = Assert.Single(collisions);
        Assert.Equal(["TEACHING", "Teaching", "teaching"], group);
    }

    [Fact]
    public void ConfiguredSpellings_TwoSources_SeesBothSpellingsTheMergedViewHides()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outpost:Hubs:teaching:Password"] = "password-file" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outpost:Hubs:TEACHING:Password"] = "password-env", ["Outpost:Hubs:central:Password"] = "password-central" })
            .Build();

        Assert.Single(configuration.GetSection("Outpost:Hubs").GetChildren(), c => c.Key.Equals("teaching", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["TEACHING", "central", "teaching"], HubNames.ConfiguredSpellings(configuration).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddHubs_NamesDifferingInCase_FailValidationNamingBoth()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outpost:Hubs:teaching:Password"] = "password-file" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outpost:Hubs:TEACHING:Password"] = "password-env" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Outpost.Storage.IHubStore, Fakes.InMemoryHubStore>();
        services.AddHubs(configuration);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HubsOptions>>().Value);

        Assert.Contains("Outpost:Hubs:TEACHING", error.Message);
        Assert.Contains("Outpost:Hubs:teaching", error.Message);
    }
}
