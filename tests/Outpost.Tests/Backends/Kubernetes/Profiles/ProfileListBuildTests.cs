using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using Outpost.Backends.Kubernetes.Profiles;

namespace Outpost.Tests.Backends.Kubernetes.Profiles;

/// <summary>How a profile of the list and its chosen options change the built pod (KubeSpawner's order: Pod, profile, choices, misc).</summary>
public sealed class ProfileListBuildTests
{
    internal static KubernetesBackendOptions Options() => new()
    {
        Pod = new KubernetesPodOptions
        {
            Image = "nb:base",
            CpuLimit = 1,
            NodeSelector = new() { ["pool"] = "default", ["zone"] = "a" },
        },
        ProfileList =
        [
            new KubernetesProfile
            {
                DisplayName = "Small",
                Slug = "small",
                Description = "1 core",
                KubespawnerOverride = new JsonObject { ["mem_limit"] = "1G" },
            },
            new KubernetesProfile
            {
                DisplayName = "GPU",
                Slug = "gpu",
                Default = true,
                Hubs = ["hub-a"],
                KubespawnerOverride = JsonNode.Parse("""
                    {"cpu_limit": 4, "cpu_guarantee": 2, "mem_limit": "16G", "mem_guarantee": "8G",
                     "node_selector": {"pool": "gpu"},
                     "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                     "extra_resource_limits": {"nvidia.com/gpu": 1},
                     "environment": {"PROFILE": "gpu"},
                     "extra_pod_config": {"hostIPC": true}}
                    """)!.AsObject(),
                ProfileOptions = new()
                {
                    ["image"] = new KubernetesProfileOption
                    {
                        DisplayName = "Image",
                        Choices = new()
                        {
                            ["pytorch"] = new KubernetesProfileChoice
                            {
                                DisplayName = "PyTorch",
                                Default = true,
                                KubespawnerOverride = new JsonObject { ["image"] = "nb:pytorch" },
                            },
                            ["tf"] = new KubernetesProfileChoice
                            {
                                DisplayName = "TensorFlow",
                                KubespawnerOverride = JsonNode.Parse("""
                                    {"image": "nb:tf", "environment": {"TF_CPP_MIN_LOG_LEVEL": 2},
                                     "extra_container_config": {"stdin": true}}
                                    """)!.AsObject(),
                            },
                        },
                        UnlistedChoice = new KubernetesUnlistedChoice
                        {
                            Enabled = true,
                            DisplayName = "Other image",
                            ValidationRegex = "^nb:[a-z0-9.-]+$",
                            ValidationMessage = "Must be an nb:<tag> image",
                            KubespawnerOverride = new JsonObject { ["image"] = "{value}" },
                        },
                    },
                    ["size"] = new KubernetesProfileOption
                    {
                        DisplayName = "GPUs",
                        UnlistedChoice = new KubernetesUnlistedChoice
                        {
                            Enabled = true,
                            ValidationRegex = "[a-z0-9]+",
                            KubespawnerOverride = new JsonObject { ["mem_limit"] = "{value}" },
                        },
                        Choices = new()
                        {
                            ["one"] = new KubernetesProfileChoice { DisplayName = "1 GPU" },
                            ["two"] = new KubernetesProfileChoice
                            {
                                DisplayName = "2 GPUs",
                                KubespawnerOverride = JsonNode.Parse("""{"extra_resource_limits": {"nvidia.com/gpu": 2}, "node_selector": {"gpus": "2"}}""")!.AsObject(),
                            },
                        },
                    },
                },
            },
        ],
    };

    private static JsonNode Spec(string userOptions, string misc = "{}", string? profile = null, string hub = "hub-a")
    {
        var request = Requests.Make(hub: hub, profile: profile, userOptions: userOptions, misc: misc);
        var pod = PodTemplate.Build(request, PodSettingsResolver.Resolve(Options(), request.Spec, hub), "jhub", "outpost-1").Pod;
        return JsonSerializer.SerializeToNode(pod, KubeJson.Options)!["spec"]!;
    }

    [Fact]
    public void Build_ProfileThenChoicesThenMisc_GivesThisPod()
    {
        var spec = Spec("""{"profile": "gpu", "image": "tf", "size": "two"}""", misc: """{"mem_limit": "20G"}""", profile: "gpu");

        AssertJson("""
            {
              "containers": [{
                "name": "notebook",
                "image": "nb:tf",
                "command": ["jupyterhub-singleuser"],
                "env": [
                  {"name": "JUPYTERHUB_API_TOKEN", "value": "token-123"},
                  {"name": "JUPYTERHUB_SERVICE_URL", "value": "http://0.0.0.0:8888/user/alice/"},
                  {"name": "JUPYTERHUB_USER", "value": "alice"},
                  {"name": "JUPYTERHUB_USER_ID", "value": "7"},
                  {"name": "PROFILE", "value": "gpu"},
                  {"name": "TF_CPP_MIN_LOG_LEVEL", "value": "2"}
                ],
                "ports": [{"name": "notebook-port", "containerPort": 8888, "protocol": "TCP"}],
                "resources": {
                  "requests": {"cpu": "2", "memory": "8589934592"},
                  "limits": {"cpu": "4", "memory": "21474836480", "nvidia.com/gpu": "2"}
                },
                "securityContext": {"allowPrivilegeEscalation": false},
                "stdin": true
              }],
              "restartPolicy": "OnFailure",
              "terminationGracePeriodSeconds": 1,
              "automountServiceAccountToken": false,
              "enableServiceLinks": false,
              "nodeSelector": {"pool": "gpu", "zone": "a", "gpus": "2"},
              "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
              "hostIPC": true
            }
            """, spec);
    }

    [Fact]
    public void Build_NoProfileNamed_UsesTheDefaultProfileAndDefaultChoices()
    {
        var spec = Spec("{}");

        Assert.Equal("nb:pytorch", spec["containers"]![0]!["image"]!.GetValue<string>());
        AssertJson("""{"cpu": "4", "memory": "17179869184", "nvidia.com/gpu": "1"}""", spec["containers"]![0]!["resources"]!["limits"]);
    }

    [Fact]
    public void Build_ProfileHiddenFromHub_DefaultIsTheFirstVisible()
    {
        var spec = Spec("{}", hub: "hub-b");

        AssertJson("""{"cpu": "1", "memory": "1073741824"}""", spec["containers"]![0]!["resources"]!["limits"]);
        Assert.Equal("nb:base", spec["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Build_UnlistedChoice_PutsTheTypedTextIntoTheSetting()
    {
        var spec = Spec("""{"profile": "gpu", "image": "unlisted_choice", "image--unlisted-choice": "nb:2025.1"}""", profile: "gpu");

        Assert.Equal("nb:2025.1", spec["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"profile": "huge"}""", "huge", "user_options.profile", "'huge' is not a profile this hub may use (profiles: small, gpu).")]
    [InlineData("""{"profile": "gpu", "image": "jax"}""", "gpu", "user_options.image", "'jax' is not a choice of 'image' in profile 'gpu' (choices: pytorch, tf, unlisted_choice).")]
    [InlineData("""{"profile": "gpu", "size": 2}""", "gpu", "user_options.size", "must be a string (the key of a choice).")]
    [InlineData("""{"profile": "gpu", "image": "unlisted_choice"}""", "gpu", "user_options.image--unlisted-choice", "must be a string when user_options.image is \"unlisted_choice\".")]
    [InlineData("""{"profile": "gpu", "image": "unlisted_choice", "image--unlisted-choice": "nb:1; rm -rf /"}""", "gpu", "user_options.image--unlisted-choice",
        "Must be an nb:<tag> image (got 'nb:1; rm -rf /').")]
    [InlineData("""{"profile": "gpu", "image": "unlisted_choice", "image--unlisted-choice": "nb:1\nx"}""", "gpu", "user_options.image--unlisted-choice",
        "Must be an nb:<tag> image (got 'nb:1\nx').")]
    [InlineData("""{"profile": "gpu", "size": "unlisted_choice", "size--unlisted-choice": "lots"}""", "gpu", "user_options.size--unlisted-choice",
        "'lots' does not fit: mem_limit must be a size such as 512M, 2G or 1073741824 (got 'lots').")]
    public void Resolve_UnknownProfileOrChoice_IsAFieldError(string userOptions, string profile, string field, string message)
    {
        var request = Requests.Make(profile: profile, userOptions: userOptions);

        var e = Assert.Throws<BackendFieldException>(() => PodSettingsResolver.Resolve(Options(), request.Spec, "hub-a"));

        var error = Assert.Single(e.Errors);
        Assert.Equal("body." + field, string.Join('.', error.Loc));
        Assert.Equal(message, error.Msg);
    }

    [Fact]
    public void Resolve_ProfileOfAnotherHub_IsRefusedAsUnknown()
    {
        var request = Requests.Make(hub: "hub-b", profile: "gpu", userOptions: """{"profile": "gpu"}""");

        var e = Assert.Throws<BackendFieldException>(() => PodSettingsResolver.Resolve(Options(), request.Spec, "hub-b"));

        Assert.Equal("'gpu' is not a profile this hub may use (profiles: small).", Assert.Single(e.Errors).Msg);
    }

    [Fact]
    public void Resolve_SlugOfTheOlderProfilesMap_StillSelectsIt()
    {
        var options = Options();
        options.Profiles["legacy"] = new KubernetesPodOptions { Image = "nb:legacy" };
        var request = Requests.Make(profile: "legacy", userOptions: """{"profile": "legacy"}""");

        Assert.Equal("nb:legacy", PodSettingsResolver.Resolve(options, request.Spec, "hub-a").Image);
    }

    internal static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\n got {actual?.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}");
}
