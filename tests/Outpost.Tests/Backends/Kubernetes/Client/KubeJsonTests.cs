using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes.Client;

/// <summary>The Outpost's own JSON context for the library's models: the wire shapes the API server sends and expects.</summary>
public sealed class KubeJsonTests
{
    [Fact]
    public void Pod_FromTheApiServer_ReadsTimesQuantitiesAndManagedFields()
    {
        const string json = """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "p", "creationTimestamp": "2026-05-01T10:20:30Z",
                          "managedFields": [{"manager": "kubelet", "time": "2026-05-01T10:20:31Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}]},
             "spec": {"containers": [{"name": "notebook", "image": "i",
                        "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                        "ports": [{"containerPort": 8888}],
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}}}]},
             "status": {"phase": "Running", "startTime": "2026-05-01T10:20:32.123456789Z"}}
            """;

        var pod = JsonSerializer.Deserialize(json, KubeJson.Info<V1Pod>())!;

        Assert.Equal(new DateTime(2026, 5, 1, 10, 20, 30, DateTimeKind.Utc), pod.Metadata.CreationTimestamp);
        Assert.Equal(DateTimeKind.Utc, pod.Metadata.CreationTimestamp!.Value.Kind);
        Assert.Equal(new DateTime(2026, 5, 1, 10, 20, 32, DateTimeKind.Utc).AddTicks(1234567), pod.Status.StartTime);
        Assert.Equal("500m", pod.Spec.Containers[0].Resources.Limits["cpu"].ToString());
        Assert.Equal(1024L * 1024 * 1024, pod.Spec.Containers[0].Resources.Limits["memory"].ToInt64());
        Assert.Equal("http", pod.Spec.Containers[0].ReadinessProbe.HttpGet.Port.Value);

        var back = JsonSerializer.SerializeToNode(pod, KubeJson.Info<V1Pod>())!;
        Assert.Equal("2026-05-01T10:20:30.000000Z", back["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("2026-05-01T10:20:32.123456Z", back["status"]!["startTime"]!.GetValue<string>());
        Assert.Equal("500m", back["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"]!.GetValue<string>());
        Assert.Equal("http", back["spec"]!["containers"]![0]!["readinessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"f:status": {}}"""), back["metadata"]!["managedFields"]![0]!["fieldsV1"]));
        Assert.Null(back["spec"]!["nodeName"]); // absent, not null
    }

    [Fact]
    public void Service_IntOrStringPort_IsWrittenAsANumber()
    {
        var service = new V1Service { Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 8888, TargetPort = 8888 }] } };

        var node = JsonSerializer.SerializeToNode(service, KubeJson.Info<V1Service>())!;

        Assert.Equal(JsonValueKind.Number, node["spec"]!["ports"]![0]!["targetPort"]!.GetValueKind());
    }

    [Fact]
    public void KindsTheOutpostDoesNotUse_AreNotInItsContext()
    {
        // The library's context (every model of every group) is never consulted: that keeps it out of the executable.
        Assert.Throws<NotSupportedException>(() => KubeJson.Info<V1Deployment>());
    }
}
