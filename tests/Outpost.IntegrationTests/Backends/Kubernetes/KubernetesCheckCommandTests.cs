using Outpost.Backends.Kubernetes;
using Outpost.IntegrationTests.Checks;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary><c>outpost check</c> with the Kubernetes backend against the wire fake: one access review per permission, nothing created.</summary>
public sealed class KubernetesCheckCommandTests : IAsyncLifetime
{
    private FakeKubeApiServer _server = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _kubeconfig = _server.WriteKubeconfig("jhub");
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task Check_EveryPermissionGranted_BackendLineOk_AndOnlyReviewsWereSent()
    {
        var (exitCode, output, errors) = await CheckAsync();

        Assert.True(exitCode == 0, output + errors);
        var needed = KubernetesAccess.Needed(new KubernetesBackendOptions());
        Assert.Contains($"ok    Backend Kubernetes: may do all {needed.Count} things it needs in namespace jhub (SelfSubjectAccessReview)", CheckCommandTests.Lines(output));
        Assert.Equal(needed.Count, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Equal(("POST", FakeKubeApiServer.AccessReviewPath), (r.Method, r.Path)));
    }

    [Fact]
    public async Task Check_DeletePodsNotGranted_ThatLineFails()
    {
        _server.Deny("delete", "pods");
        _server.Deny("get", "pods/log");

        var (exitCode, output, errors) = await CheckAsync();

        Assert.True(exitCode == 2, output + errors);
        var lines = CheckCommandTests.Lines(output);
        var first = Array.IndexOf(lines, "fail  Backend Kubernetes: may not delete pods in namespace jhub (no RBAC policy matched)");
        Assert.True(first > 0, output);
        Assert.Equal(
        [
            "fail  Backend Kubernetes: may not delete pods in namespace jhub (no RBAC policy matched)",
            "      fix: grant it in the Role bound to the Outpost's service account (delete on pods; deploy/kubernetes/rbac.yaml has every rule)",
            "fail  Backend Kubernetes: may not get pods/log in namespace jhub (no RBAC policy matched)",
            "      fix: grant it in the Role bound to the Outpost's service account (get on pods/log; deploy/kubernetes/rbac.yaml has every rule)",
        ], lines[first..(first + 4)]);
        Assert.All(_server.Requests, r => Assert.Equal(FakeKubeApiServer.AccessReviewPath, r.Path));
    }

    [Fact]
    public async Task Check_RemoveOrphans_AsksForNoLease()
    {
        // Only the leading replica sweeps orphans, so removing them needs no Lease of its own.
        _server.Deny("update", "leases", "coordination.k8s.io");

        var (exitCode, output, errors) = await CheckAsync(new() { ["Outpost:Backends:Kubernetes:RemoveOrphans"] = "true" });

        Assert.True(exitCode == 0, output + errors);
        Assert.DoesNotContain("leases", output);
    }

    private async Task<(int ExitCode, string Output, string Errors)> CheckAsync(Dictionary<string, string>? extra = null)
    {
        var dataDir = await CheckCommandTests.MigratedDataDirAsync();
        var settings = new Dictionary<string, string>
        {
            ["Outpost:Backends:Default"] = "Kubernetes",
            ["Outpost:Backends:Kubernetes:KubeConfigPath"] = _kubeconfig,
            ["Outpost:Backends:Kubernetes:Pod:Image"] = "jupyter/minimal:1",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return await CommandLineTests.RunWithEnvAsync(dataDir, settings, "check");
    }
}
