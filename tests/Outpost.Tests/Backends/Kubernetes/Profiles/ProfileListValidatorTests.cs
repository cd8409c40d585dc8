using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Profiles;

namespace Outpost.Tests.Backends.Kubernetes.Profiles;

public sealed class ProfileListValidatorTests
{
    private const string At = "Outpost:Backends:Kubernetes:ProfileList";

    [Fact]
    public void Validate_TheBuilderTestsList_Succeeds()
    {
        var result = new KubernetesBackendOptionsValidator().Validate(null, ProfileListBuildTests.Options());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BadList_NamesEveryFieldPath()
    {
        var options = new KubernetesBackendOptions
        {
            Profiles = new() { ["old"] = new KubernetesPodOptions() },
            ProfileList =
            [
                new KubernetesProfile
                {
                    DisplayName = "A",
                    Slug = "a",
                    Default = true,
                    KubespawnerOverride = JsonNode.Parse("""{"cpu_limitt": 2, "mem_limit": "lots", "internal_ssl": true, "cpu_guarantee": 3, "cpu_limit": 1}""")!.AsObject(),
                },
                new KubernetesProfile { DisplayName = "", Slug = "a", Default = true },
                new KubernetesProfile { DisplayName = "B", Slug = "../b" },
                new KubernetesProfile { DisplayName = "C", Slug = "old" },
                new KubernetesProfile
                {
                    DisplayName = "D",
                    Slug = "d",
                    ProfileOptions = new()
                    {
                        ["profile"] = new KubernetesProfileOption
                        {
                            DisplayName = "X",
                            Choices = new() { ["x"] = new KubernetesProfileChoice { DisplayName = "X", KubespawnerOverride = new JsonObject { ["node_selector"] = "ssd" } } },
                        },
                        ["image"] = new KubernetesProfileOption
                        {
                            DisplayName = "Image",
                            UnlistedChoice = new KubernetesUnlistedChoice { Enabled = true, KubespawnerOverride = new JsonObject { ["image"] = "{value}" } },
                        },
                        ["empty"] = new KubernetesProfileOption { DisplayName = "E" },
                    },
                },
            ],
        };

        var result = new KubernetesBackendOptionsValidator().Validate(null, options);

        Assert.Equal(
        [
            $"{At}:0:KubespawnerOverride:internal_ssl cannot be set by a profile (the hub sends it).",
            $"{At}:0:KubespawnerOverride:cpu_limitt is not a setting of the Kubernetes backend.",
            $"{At}:0:KubespawnerOverride:mem_limit must be a size such as 512M, 2G or 1073741824 (got 'lots').",
            $"{At}:0:KubespawnerOverride:cpu_guarantee (merged with Pod) (3) is above {At}:0:KubespawnerOverride:cpu_limit (merged with Pod) (1).",
            $"{At}:1:DisplayName is required.",
            $"{At}:1:Slug 'a' is used by an earlier profile; slugs must be unique.",
            $"{At}:2:Slug '../b' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.",
            $"{At}:3:Slug 'old' is also a key of Outpost:Backends:Kubernetes:Profiles; a start could not tell which is meant.",
            $"{At}:4:ProfileOptions:profile: the option key 'profile' must be 1-63 letters, digits, '_' or '-', and not one of profile, flavor, start_id, system, name (the start request carries it as user_options.profile).",
            $"{At}:4:ProfileOptions:profile:Choices:x:KubespawnerOverride:node_selector must be an object of strings, not the string \"ssd\".",
            $"{At}:4:ProfileOptions:image:UnlistedChoice:ValidationRegex is required when the unlisted choice is enabled: the typed text becomes a pod setting.",
            $"{At}:4:ProfileOptions:empty:Choices needs at least one choice (or an enabled UnlistedChoice).",
            $"{At}: profiles 0, 1 are all marked Default; mark one.",
        ], result.Failures!);
    }

    [Fact]
    public void Bind_FromConfiguration_ReadsTheKubeSpawnerShape()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ProfileList:0:DisplayName"] = "GPU",
            ["ProfileList:0:Slug"] = "gpu",
            ["ProfileList:0:Hubs:0"] = "hub-*",
            ["ProfileList:0:KubespawnerOverride:cpu_limit"] = "4",
            ["ProfileList:0:KubespawnerOverride:node_selector:pool"] = "gpu",
            ["ProfileList:0:KubespawnerOverride:tolerations:0:key"] = "nvidia.com/gpu",
            ["ProfileList:0:KubespawnerOverride:tolerations:0:operator"] = "Exists",
            ["ProfileList:0:ProfileOptions:image:DisplayName"] = "Image",
            ["ProfileList:0:ProfileOptions:image:Choices:tf:DisplayName"] = "TensorFlow",
            ["ProfileList:0:ProfileOptions:image:Choices:tf:Default"] = "true",
            ["ProfileList:0:ProfileOptions:image:Choices:tf:KubespawnerOverride:image"] = "nb:tf",
        }).Build();

        var options = KubernetesOptionsFactory.Bind(config);

        var profile = Assert.Single(options.ProfileList);
        Assert.Equal(["hub-*"], profile.Hubs!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"cpu_limit": 4, "node_selector": {"pool": "gpu"}, "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]}"""),
            profile.KubespawnerOverride));
        Assert.True(profile.ProfileOptions!["image"].Choices!["tf"].Default);
        Assert.True(new KubernetesBackendOptionsValidator().Validate(null, options).Succeeded);
    }
}
