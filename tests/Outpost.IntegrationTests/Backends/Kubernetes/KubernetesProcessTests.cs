using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// The Outpost as it ships (the Native AOT executable when OUTPOST_EXECUTABLE names it) drives a pod's whole life
/// through the wire fake, logging in with an exec credential plugin: what trimming keeps of the client and its JSON
/// context is what these calls need.
/// </summary>
public sealed class KubernetesProcessTests
{
    [Fact]
    public async Task ShippedOutpost_ExecPluginLogin_StartsPollsAndStopsAPod()
    {
        await using var api = await FakeKubeApiServer.StartAsync();
        api.StartPodsAutomatically();
        api.RequiredToken = "exec-token-process";
        var dir = Directory.CreateTempSubdirectory("k8sclient-process-").FullName;
        try
        {
            var kubeconfig = api.WriteKubeconfig("jhub", execToken: "exec-token-process");
            var dataDir = Path.Combine(dir, "data");
            Directory.CreateDirectory(dataDir);
            await using var outpost = await OutpostProcess.StartAsync(dataDir, extra: new()
            {
                ["Outpost:Backends:Default"] = "Kubernetes",
                ["Outpost:Backends:Kubernetes:KubeConfigPath"] = kubeconfig,
                ["Outpost:Backends:Kubernetes:InstanceName"] = "process-test",
                ["Outpost:Backends:Kubernetes:Pod:Image"] = "jupyter/minimal:1",
                ["Outpost:Backends:Kubernetes:Pod:CpuLimit"] = "0.5",
                ["Outpost:Backends:Kubernetes:Pod:MemLimit"] = "1G",
            });
            using var client = outpost.Client();

            var started = await client.StartAsync(StartBodies.For("alice", "", "1", misc: new Dictionary<string, object>()));
            var body = await started.JsonAsync();
            var poll = await (await client.GetAsync("/services//1")).JsonAsync();

            Assert.True(started.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.StartsWith("10.244.0.", body.GetProperty("service").GetString());
            Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);
            var pod = Assert.Single(api.Names("pods", "jhub"));
            var limits = api.Get("pods", "jhub", pod)!["spec"]!["containers"]![0]!["resources"]!["limits"]!;
            Assert.Equal("500m", limits["cpu"]!.GetValue<string>());
            Assert.Equal("1073741824", limits["memory"]!.GetValue<string>()); // KubeSpawner's G is 2^30

            Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//1")).StatusCode);
            Assert.Empty(api.Names("pods", "jhub"));
            Assert.All(api.Requests, r => Assert.Equal("Bearer exec-token-process", r.Authorization));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
