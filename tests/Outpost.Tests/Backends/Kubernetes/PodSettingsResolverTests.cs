using Outpost.Backends;
using Outpost.Backends.Kubernetes;

namespace Outpost.Tests.Backends.Kubernetes;

public sealed class PodSettingsResolverTests
{
    [Theory]
    [InlineData("""{"cpu_limit": "lots"}""", "misc.cpu_limit must be a number, not the string \"lots\".")]
    [InlineData("""{"services_enabled": "yes"}""", "misc.services_enabled must be true or false, not the string \"yes\".")]
    [InlineData("""{"port": 70000}""", "misc.port must be a TCP port between 1 and 65535 (got 70000).")]
    [InlineData("""{"port": 80.5}""", "misc.port must be a whole number, not the number 80.5.")]
    [InlineData("""{"ip": "everywhere"}""", "misc.ip must be an IP address (got 'everywhere').")]
    [InlineData("""{"mem_limit": "a lot"}""", "misc.mem_limit must be a size such as 512M, 2G or 1073741824 (got 'a lot').")]
    [InlineData("""{"node_selector": ["a"]}""", "misc.node_selector must be an object of strings, not a list.")]
    [InlineData("""{"tolerations": [{"key": "a", "operator": "Maybe"}]}""", "misc.tolerations has operator 'Maybe'; use Exists or Equal.")]
    [InlineData("""{"tolerations": [{"tolerationSeconds": "soon"}]}""", "misc.tolerations must be a list of Toleration objects, not a list (at [0].tolerationSeconds).")]
    [InlineData("""{"extra_labels": {"outpost.jupyter.org/hub": "x"}}""", "misc.extra_labels has the key 'outpost.jupyter.org/hub', which the Outpost sets itself.")]
    [InlineData("""{"extra_labels": {"team": "data science"}}""", "misc.extra_labels has 'data science' for 'team', which is not a valid label value (63 characters of A-Z, a-z, 0-9, '.', '_', '-').")]
    [InlineData("""{"pod_name_template": "nb-{user}"}""", "misc.pod_name_template uses the unknown field {user}; known fields: {username}, {servername}, {userid}, {hubname}, {startid}, {unescaped_username}, {unescaped_servername}, {legacy_escape_username}, {hubnamespace}.")]
    [InlineData("""{"image_pull_policy": "Sometimes"}""", "misc.image_pull_policy must be Always, IfNotPresent or Never (got 'Sometimes').")]
    [InlineData("""{"start_timeout": 0}""", "misc.start_timeout must be between 1 and 86400 seconds (got 0).")]
    [InlineData("""{"uid": -1}""", "misc.uid must be a user or group id between 0 and 4294967295 (got -1).")]
    [InlineData("""{"volumes": [{"name": "Home"}]}""", "misc.volumes has a volume named 'Home'; a volume needs a name of lowercase letters, digits and '-'.")]
    [InlineData("""{"extra_resource_limits": {"nvidia.com/gpu": "many"}}""", "misc.extra_resource_limits has 'many' for 'nvidia.com/gpu', which is not a quantity such as 1, 500m or 2Gi.")]
    [InlineData("""{"no_such_trait": 1}""", "misc.no_such_trait is not a setting of the Kubernetes backend.")]
    public void Resolve_BadMiscValue_NamesKeyAndReason(string misc, string reason)
    {
        var e = Assert.Throws<BackendException>(() => PodSettingsResolver.Resolve(new KubernetesBackendOptions(), Requests.Make(misc: misc).Spec));

        Assert.Equal("The hub's overrides for the Kubernetes backend are not valid: " + reason, e.Message);
    }

    [Fact]
    public void Resolve_SeveralBadValues_ListsEach()
    {
        var e = Assert.Throws<BackendException>(() =>
            PodSettingsResolver.Resolve(new KubernetesBackendOptions(), Requests.Make(misc: """{"port": "x", "cpu_limit": -1}""").Spec));

        Assert.Contains("misc.port", e.Message);
        Assert.Contains("misc.cpu_limit", e.Message);
    }

    [Fact]
    public void Resolve_GuaranteeAboveLimitAcrossLayers_Fails()
    {
        var options = new KubernetesBackendOptions { Pod = new KubernetesPodOptions { CpuLimit = 1 } };

        var e = Assert.Throws<BackendException>(() => PodSettingsResolver.Resolve(options, Requests.Make(misc: """{"cpu_guarantee": 2}""").Spec));

        Assert.Equal("The Kubernetes settings for this server do not fit together: the setting cpu_guarantee (2) is above the setting cpu_limit (1).", e.Message);
    }

    [Fact]
    public void Resolve_UnknownProfile_NamesTheConfiguredOnes()
    {
        var options = new KubernetesBackendOptions { Profiles = new() { ["small"] = new(), ["gpu"] = new() } };

        var e = Assert.Throws<BackendException>(() => PodSettingsResolver.Resolve(options, Requests.Make(profile: "huge").Spec));

        Assert.Equal("The profile 'huge' is not configured for Kubernetes on this Outpost (configured: gpu, small).", e.Message);
    }

    [Fact]
    public void Resolve_InternalSslWithoutCerts_Fails()
    {
        var e = Assert.Throws<BackendException>(() =>
            PodSettingsResolver.Resolve(new KubernetesBackendOptions(), Requests.Make(misc: """{"internal_ssl": true}""").Spec));

        Assert.Contains("misc.internal_ssl is true but the request carries no certs.", e.Message);
    }

    [Fact]
    public void Resolve_HubDefaults_AreAllAccepted()
    {
        var settings = PodSettingsResolver.Resolve(new KubernetesBackendOptions(), Requests.Make(misc: """
            {"dns_name_template": "{name}.{namespace}.svc.cluster.local", "pod_name_template": "jupyter-{username}--{servername}",
             "internal_ssl": false, "port": 8080, "ip": "0.0.0.0", "services_enabled": true,
             "extra_labels": {"hub.jupyter.org/username": "alice", "sidecar.istio.io/inject": "false"}}
            """).Spec);

        Assert.Equal(8080, settings.Port);
        Assert.True(settings.ServicesEnabled);
        Assert.Equal("false", settings.ExtraLabels!["sidecar.istio.io/inject"]);
    }

    [Theory]
    [InlineData("CpuLimit", "cpu_limit")]
    [InlineData("FsGid", "fs_gid")]
    [InlineData("PodAntiAffinityPreferred", "pod_anti_affinity_preferred")]
    [InlineData("Ip", "ip")]
    public void MiscKey_IsKubeSpawnerTraitName(string property, string key) => Assert.Equal(key, PodSettingsResolver.MiscKey(property));
}
