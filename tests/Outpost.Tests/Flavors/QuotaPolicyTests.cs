using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Flavors;
using Outpost.Servers;
using Outpost.Storage;
using static Outpost.Tests.Flavors.FlavorTestConfig;

namespace Outpost.Tests.Flavors;

/// <summary>The start-time checks of spec §5.4: which flavor a start may use, the limits it gets, and the messages.</summary>
public sealed class QuotaPolicyTests
{
    [Fact]
    public void Admit_FlavorNotAllowed_IsRefusedListingTheUsersFlavors()
    {
        var policy = Policy(Read(UserFlavorsFixture()));

        var (admission, refusal) = Admit(policy, "authenticated", Spec("user-servername-other", "typec"), null);

        Assert.Null(admission);
        Assert.Equal("user-servername-other - Start with flavor typec not allowed. Allowed values for user: ['typea', 'typeb']", refusal);
    }

    [Fact]
    public void Admit_NoFlavorWhenFlavorsAreConfigured_IsRefusedWithNone()
    {
        var policy = Policy(Read(UserFlavorsFixture()));

        var (admission, refusal) = Admit(policy, "authenticated", Spec("user-servername", null), null);

        Assert.Null(admission);
        Assert.Equal("user-servername - Start with flavor None not allowed. Allowed values for user: ['typea', 'typeb']", refusal);
    }

    [Fact]
    public void Admit_HubWithoutFlavors_IsRefusedWithAnEmptyList()
    {
        var policy = Policy(Read(UserFlavorsFixture()));

        var (_, refusal) = Admit(policy, "authenticated2", Spec("user-servername", "typea"), null);

        Assert.Equal("user-servername - Start with flavor typea not allowed. Allowed values for user: []", refusal);
    }

    [Fact]
    public void Admit_ForbiddenUser_IsRefused()
    {
        var keys = UserFlavorsFixture();
        keys["Users:banned:authentication:username"] = "mallory";
        keys["Users:banned:forbidden"] = "true";
        var policy = Policy(Read(keys));

        var (admission, refusal) = Admit(policy, "authenticated", Spec("lab", "typea"), Auth("""{"username": "mallory"}"""));

        Assert.Null(admission);
        Assert.Equal("lab - Start with flavor typea not allowed. Allowed values for user: []", refusal);
    }

    [Fact]
    public void Admit_DefaultServer_IsNamedAfterItsUser()
    {
        var policy = Policy(Read(UserFlavorsFixture()));

        var (_, refusal) = Admit(policy, "authenticated", Spec("", "typec"), null);

        Assert.StartsWith("alice (default server) - Start with flavor typec not allowed.", refusal);
    }

    [Theory]
    [InlineData("5", null, null, 5, null, null)]
    [InlineData("-1", null, null, null, null, null)]
    [InlineData(null, null, null, null, null, null)]
    [InlineData("0", null, null, 0, null, null)]
    [InlineData("-1", "0", null, null, null, null)]
    [InlineData("-1", "1", null, null, 1, null)]
    [InlineData("-1", null, "-1", null, null, null)]
    [InlineData("-1", null, "0", null, null, 0)]
    [InlineData("3", "2", "4", 3, 2, 4)]
    public void Admit_AllowedFlavor_GetsItsQuota(string? max, string? maxPerUser, string? globalMaxPerUser, int? ofFlavor, int? ofFlavorPerUser, int? perUser)
    {
        var keys = UserFlavorsFixture();
        keys.Remove("Flavors:typea:max");
        if (max is not null)
        {
            keys["Flavors:typea:max"] = max;
        }
        if (maxPerUser is not null)
        {
            keys["Flavors:typea:maxPerUser"] = maxPerUser;
        }
        if (globalMaxPerUser is not null)
        {
            keys["GlobalMaxPerUser"] = globalMaxPerUser;
        }
        var policy = Policy(Read(keys));

        var (admission, refusal) = Admit(policy, "authenticated", Spec("lab", "typea"), null);

        Assert.Null(refusal);
        Assert.NotNull(admission);
        Assert.Equal(new ServerQuota(ofFlavor, ofFlavorPerUser, perUser), admission.Quota);
        Assert.Equal("typea", admission.FlavorName);
        Assert.Equal(TimeSpan.FromHours(2), admission.Runtime);
        Assert.Equal(17, admission.UserId);
        Assert.Equal("authenticated", admission.Hub);
    }

    [Fact]
    public void Admit_HubOverride_GivesTheHubsLimit()
    {
        var keys = UserFlavorsFixture();
        keys["Hubs:restrictedGroup:flavors"] = null;
        keys["Hubs:restrictedGroup:flavors:0"] = "typea";
        keys["Hubs:restrictedGroup:flavorsOverride:typea:max"] = "1";
        var policy = Policy(Read(keys));

        Assert.Equal(5, Admit(policy, "authenticated", Spec("lab", "typea"), null).Admission!.Quota!.MaxOfFlavor);
        Assert.Equal(1, Admit(policy, "authenticated2", Spec("lab", "typea"), null).Admission!.Quota!.MaxOfFlavor);
    }

    [Fact]
    public void Admit_UserOverride_GivesTheUsersRuntimeAndDefinition()
    {
        var keys = UserFlavorsFixture();
        keys["Users:user:authentication:username"] = "user.*";
        keys["Users:user:flavorsOverride:typea:runtime:hours"] = "4";
        var policy = Policy(Read(keys));

        var (admission, _) = Admit(policy, "authenticated", Spec("lab", "typea"), Auth("""{"username": "user1"}"""));

        Assert.Equal(TimeSpan.FromHours(4), admission!.Runtime);
        Assert.Equal("""{"hours":4}""", admission.Definition!["runtime"]!.ToJsonString());
    }

    [Theory]
    [InlineData("typea")]
    [InlineData("typec")]
    [InlineData(null)]
    public void Admit_FlavorsNotConfigured_AdmitsEverythingWithoutQuota(string? flavor)
    {
        var keys = new Dictionary<string, string?> { ["GlobalMaxPerUser"] = "0" };
        var policy = Policy(Read(keys));

        var (admission, refusal) = Admit(policy, "authenticated", Spec("lab", flavor), null);

        Assert.Null(refusal);
        Assert.NotNull(admission);
        Assert.Null(admission.Quota);
        Assert.Null(admission.Runtime);
        Assert.Null(admission.Definition);
        Assert.Equal(flavor, admission.FlavorName);
    }

    [Theory]
    [InlineData(QuotaLimit.OfFlavor, "user-servername-6 - Start with typea for authenticated not allowed. Maximum (5) already reached.")]
    [InlineData(QuotaLimit.OfFlavorPerUser, "user-servername-6 - Start with flavor typea not allowed. Each user may only start 1 of typea")]
    [InlineData(QuotaLimit.PerUser, "user-servername-6 - User with user id 0 of authenticated has reached the maximum limit of services (2)")]
    public void Describe_Limit_GivesTheOriginalsMessage(QuotaLimit limit, string message)
    {
        var admission = new FlavorAdmission("typea", null, new ServerQuota(5, 1, 2), null, "user-servername-6", "authenticated", 0);

        Assert.Equal(message, admission.Describe(limit));
    }

    [Fact]
    public void Describe_ZeroLimits_GivesTheOriginalsMessages()
    {
        var admission = new FlavorAdmission("typea", null, new ServerQuota(0, null, 0), null, "user-servername", "authenticated", 0);

        Assert.Equal("user-servername - Start with typea for authenticated not allowed. Maximum (0) already reached.", admission.Describe(QuotaLimit.OfFlavor));
        Assert.Equal("user-servername - User with user id 0 of authenticated has reached the maximum limit of services (0)", admission.Describe(QuotaLimit.PerUser));
    }

    internal static QuotaPolicy Policy(FlavorConfig config) => new(Catalog(config));

    internal static FlavorCatalog Catalog(FlavorConfig config) =>
        new(Options.Create(new StartupFlavorConfig { Config = config }), new Outpost.Hosting.ConfigFile(null), new OriginalFlavorsFile(null), NullLogger<FlavorCatalog>.Instance);

    private static ServerSpec Spec(string name, string? flavor) => new()
    {
        Name = name,
        StartId = "0",
        Env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "alice", ["JUPYTERHUB_USER_ID"] = "17" },
        Flavor = flavor,
    };

    /// <summary>The decision as (admission, refusal message), one of them null.</summary>
    private static (FlavorAdmission? Admission, string? Refusal) Admit(QuotaPolicy policy, string hub, ServerSpec spec, JsonElement? authentication) =>
        policy.Admit(hub, spec, authentication) switch
        {
            QuotaDecision.Admitted admitted => (admitted.Admission, null),
            QuotaDecision.Refused refused => (null, refused.Message),
            _ => throw new InvalidOperationException(),
        };
}
