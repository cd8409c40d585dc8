using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using Outpost.IntegrationTests.Backends.Kubernetes;
using Outpost.Servers;

namespace Outpost.Bench.KubernetesWatch;

/// <summary>
/// The child process: runs the fake API server and, on "go NAMESPACE COUNT", creates COUNT realistic server pods
/// (built by PodTemplate) and then moves each to Running while open watches hold their output; "release" lets the
/// queued events flow. Prints "ready URL" once, "done MS" after each batch and "released" after a release.
/// </summary>
internal static class FakeHost
{
    public static async Task ServeAsync()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        Console.WriteLine($"ready {server.Address}");
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "release")
            {
                server.ReleaseWatchOutput();
                Console.WriteLine("released");
                continue;
            }
            if (parts[0] != "go")
            {
                break;
            }
            server.HoldWatchOutput();
            var ns = parts[1];
            var count = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                server.Create("pods", ns, PodJson(ns, i));
            }
            for (var i = 0; i < count; i++)
            {
                server.SetPodRunning(ns, Name(i));
            }
            Console.WriteLine($"done {clock.ElapsedMilliseconds}");
        }
    }

    private static string Name(int i) => $"jupyter-user{i:D5}-bench";

    private static JsonObject PodJson(string ns, int i)
    {
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = new Dictionary<string, string>
            {
                [HubEnv.User] = $"user{i:D5}",
                [HubEnv.UserId] = i.ToString(CultureInfo.InvariantCulture),
                [HubEnv.ApiToken] = "0123456789abcdef0123456789abcdef",
                [HubEnv.ApiUrl] = "http://hub:8081/hub/api",
                [HubEnv.ServiceUrl] = $"http://0.0.0.0:8888/user/user{i:D5}/",
            },
        };
        var settings = new KubernetesPodOptions
        {
            Image = "quay.io/jupyter/scipy-notebook:2025-01-01",
            CpuGuarantee = 0.5,
            CpuLimit = 2,
            MemGuarantee = "1G",
            MemLimit = "4G",
            PodNameTemplate = "jupyter-{username}--{servername}",
            ExtraLabels = new() { ["hub.jupyter.org/username"] = $"user{i:D5}" },
        };
        var request = new BackendStartRequest(new ServerKey("bench", "", "1"), spec, $"bench-{i}", "/tmp");
        var pod = PodTemplate.Build(request, settings, ns, "bench").Pod;
        pod.Metadata!.Name = Name(i);
        return JsonSerializer.SerializeToNode(pod, KubeJson.Options)!.AsObject();
    }
}
