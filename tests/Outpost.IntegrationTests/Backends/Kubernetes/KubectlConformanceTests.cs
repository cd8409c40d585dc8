using System.Diagnostics;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// Cross-checks the fake's wire format with an independent client: Debian's kubectl
/// lists, reads, creates, deletes and watches through it. kubectl is a required test tool here, not an optional one.
/// </summary>
public sealed class KubectlConformanceTests : IAsyncLifetime
{
    /// <summary>The kubectl to run: $KUBECTL when set (e.g. Debian's binary unpacked beside another one), else /usr/bin/kubectl.</summary>
    private static readonly string Kubectl = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } path ? path : "/usr/bin/kubectl";
    private FakeKubeApiServer _server = null!;
    private string _home = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Kubectl), "kubectl is missing: install it from Debian (apt-get install -y kubectl; older releases name the package kubernetes-client).");
        _server = await FakeKubeApiServer.StartAsync();
        _home = Directory.CreateTempSubdirectory("kubectl-home-").FullName;
        _server.SeedYaml("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: seeded-a
              labels: {app.kubernetes.io/managed-by: outpost, tier: one}
            spec:
              containers:
              - name: notebook
                image: jupyter/minimal:1
                ports: [{containerPort: 8888, name: notebook-port}]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: seeded-b
              labels: {tier: two}
            spec:
              containers: [{name: notebook, image: jupyter/minimal:2}]
            """, "jhub");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task GetPodsJson_ListsSeededPodsWithLabelSelector()
    {
        var output = await RunAsync("get", "pods", "-l", "tier=one", "-o", "json");

        var list = JsonNode.Parse(output)!;
        Assert.Equal("List", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal("seeded-a", item["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("Pod", item["kind"]!.GetValue<string>());
        Assert.Equal(8888, item["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"]!.GetValue<int>());
    }

    [Fact]
    public async Task CreateWithKubectl_IsReadByOurClient_AndDeleteWithKubectlRemovesIt()
    {
        var file = Path.Combine(_home, "svc.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Service
            metadata: {name: made-by-kubectl, labels: {app: x}}
            spec:
              selector: {app: x}
              ports: [{name: http, port: 80, targetPort: 8888, protocol: TCP}]
            """);

        var created = await RunAsync("create", "--validate=false", "-f", file);
        Assert.Contains("service/made-by-kubectl created", created);

        using var client = new KubeClient(_server.Config);
        var service = await client.GetAsync<V1Service>("jhub", "made-by-kubectl", CancellationToken.None);
        Assert.Equal(8888, int.Parse(service!.Spec!.Ports![0].TargetPort.Value, System.Globalization.CultureInfo.InvariantCulture)); // an int-or-string in the library's model
        Assert.Equal("ClusterIP", service.Spec.Type);

        var deleted = await RunAsync("delete", "service", "made-by-kubectl", "--wait=false");
        Assert.Contains("\"made-by-kubectl\" deleted", deleted);
        Assert.Null(_server.Get("services", "jhub", "made-by-kubectl"));
    }

    [Fact]
    public async Task GetOnePod_ShowsStatusSetByTheHooks()
    {
        _server.SetPodRunning("jhub", "seeded-b", "10.1.1.1");

        var pod = JsonNode.Parse(await RunAsync("get", "pod", "seeded-b", "-o", "json"))!;

        Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("10.1.1.1", pod["status"]!["podIP"]!.GetValue<string>());
        Assert.Equal("Running", await RunAsync("get", "pod", "seeded-b", "-o", "jsonpath={.status.phase}"));
    }

    [Fact]
    public async Task GetEvents_FieldSelectorOnInvolvedObject()
    {
        _server.AddPodEvent("jhub", "seeded-a", "Normal", "Scheduled", "Successfully assigned jhub/seeded-a to node-1");
        _server.AddPodEvent("jhub", "seeded-b", "Normal", "Scheduled", "Successfully assigned jhub/seeded-b to node-1");

        var list = JsonNode.Parse(await RunAsync("get", "events", "--field-selector", "involvedObject.name=seeded-b", "-o", "json"))!;

        var e = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal("Successfully assigned jhub/seeded-b to node-1", e["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task WatchWithKubectl_SeesAChangeMadeAfterwards()
    {
        var start = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in BaseArgs().Concat(["get", "pods", "--watch-only", "-o", "jsonpath={.metadata.name} {.status.phase}{\"\\n\"}"]))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["HOME"] = _home;
        start.Environment["KUBECONFIG"] = Path.Combine(_home, "none");
        using var process = Process.Start(start)!;
        try
        {
            await KubeClientTests.WaitUntil(() => _server.OpenWatches >= 1, 20_000);
            _server.SetPodRunning("jhub", "seeded-a", "10.2.2.2");

            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("seeded-a Running", line);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private string[] BaseArgs() => ["--server", _server.Address.ToString().TrimEnd('/'), "--namespace", "jhub", "--request-timeout", "20s"];

    private async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in BaseArgs().Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["HOME"] = _home;
        start.Environment["KUBECONFIG"] = Path.Combine(_home, "none");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }
}
