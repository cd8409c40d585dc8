using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes;

/// <summary>extra_pod_config and extra_container_config change the built pod as KubeSpawner's update_k8s_model does.</summary>
public sealed class ExtraConfigTests
{
    private static JsonNode Pod(string misc, KubernetesBackendOptions? options = null)
    {
        var request = Requests.Make(misc: misc);
        var objects = PodTemplate.Build(request, PodSettingsResolver.Resolve(options ?? new KubernetesBackendOptions(), request.Spec), "jhub", "outpost-1");
        return JsonSerializer.SerializeToNode(objects.Pod, KubeJson.Options)!;
    }

    private static void AssertJsonAt(JsonNode pod, string path, string expected)
    {
        JsonNode? node = pod;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        }
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), node), $"{path}: expected {expected}, got {node?.ToJsonString()}");
    }

    [Theory]
    // A field the Outpost does not set appears; keys in the API's spelling or in snake_case.
    [InlineData("""{"extra_pod_config": {"hostNetwork": true, "dns_policy": "ClusterFirstWithHostNet"}}""", "spec.hostNetwork", "true")]
    [InlineData("""{"extra_pod_config": {"hostNetwork": true, "dns_policy": "ClusterFirstWithHostNet"}}""", "spec.dnsPolicy", "\"ClusterFirstWithHostNet\"")]
    [InlineData("""{"extra_pod_config": {"host_ipc": true}}""", "spec.hostIPC", "true")]
    // A field the Outpost sets is replaced whole, as KubeSpawner's setattr does.
    [InlineData("""{"extra_pod_config": {"restartPolicy": "Never"}}""", "spec.restartPolicy", "\"Never\"")]
    [InlineData("""{"extra_pod_config": {"nodeSelector": {"zone": "b"}}, "node_selector": {"disk": "ssd"}}""", "spec.nodeSelector", """{"zone": "b"}""")]
    [InlineData("""{"extra_pod_config": {"dnsConfig": {"options": [{"name": "ndots", "value": "2"}]}}}""", "spec.dnsConfig", """{"options": [{"name": "ndots", "value": "2"}]}""")]
    [InlineData("""{"extra_container_config": {"env": [{"name": "ONLY", "value": "1"}]}}""", "spec.containers.0.env", """[{"name": "ONLY", "value": "1"}]""")]
    [InlineData("""{"extra_container_config": {"working_dir": "/srv", "stdin": true}}""", "spec.containers.0.workingDir", "\"/srv\"")]
    [InlineData("""{"extra_container_config": {"working_dir": "/srv", "stdin": true}}""", "spec.containers.0.stdin", "true")]
    [InlineData("""{"extra_container_config": {"resources": {"limits": {"cpu": "3"}}}, "cpu_limit": 1}""", "spec.containers.0.resources", """{"limits": {"cpu": "3"}}""")]
    public void Misc_ChangesThePodAsKubeSpawnerDoes(string misc, string path, string expected) =>
        AssertJsonAt(Pod(misc), path, expected);

    [Fact]
    public void Misc_LeavesTheOtherFieldsAlone()
    {
        var plain = Pod("{}");
        var changed = Pod("""{"extra_pod_config": {"hostNetwork": true}, "extra_container_config": {"tty": true}}""");

        ((JsonObject)changed["spec"]!).Remove("hostNetwork");
        ((JsonObject)changed["spec"]!["containers"]![0]!).Remove("tty");
        Assert.True(JsonNode.DeepEquals(plain, changed), changed.ToJsonString());
    }

    [Theory]
    [InlineData("""{"extra_pod_config": {"hostNetwerk": true}}""", "misc.extra_pod_config.hostNetwerk is not a field of PodSpec")]
    [InlineData("""{"extra_container_config": {"imagePullPolicyy": "Always"}}""", "misc.extra_container_config.imagePullPolicyy is not a field of Container")]
    [InlineData("""{"extra_pod_config": {"hostNetwork": "yes please"}}""", "misc.extra_pod_config.hostNetwork does not have the shape Kubernetes expects")]
    [InlineData("""{"extra_pod_config": ["hostNetwork"]}""", "misc.extra_pod_config must be an object of Kubernetes fields")]
    public void Misc_Invalid_FailsNamingTheField(string misc, string expected)
    {
        var e = Assert.Throws<BackendException>(() => Pod(misc));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Configuration_BindsTypedValues_AndTheValidatorNamesBadKeys()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pod:ExtraPodConfig:hostNetwork"] = "true",
            ["Pod:ExtraPodConfig:dnsConfig:nameservers:0"] = "10.0.0.10",
            ["Pod:ExtraContainerConfig:workingDir"] = "/srv",
            ["Profiles:bad:ExtraPodConfig:hostNetwerk"] = "true",
        }).Build();

        var options = KubernetesOptionsFactory.Bind(config);
        var result = new KubernetesBackendOptionsValidator().Validate(null, options);

        AssertJsonAt(Pod("{}", options), "spec.hostNetwork", "true");
        AssertJsonAt(Pod("{}", options), "spec.dnsConfig", """{"nameservers": ["10.0.0.10"]}""");
        AssertJsonAt(Pod("{}", options), "spec.containers.0.workingDir", "\"/srv\"");
        Assert.True(result.Failed);
        Assert.Contains("Outpost:Backends:Kubernetes:Profiles:bad:ExtraPodConfig.hostNetwerk is not a field of PodSpec", result.FailureMessage);
    }
}
