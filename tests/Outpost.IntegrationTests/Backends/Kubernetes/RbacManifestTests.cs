using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using Outpost.Servers;
using YamlDotNet.RepresentationModel;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// deploy/kubernetes/rbac.yaml grants exactly what the backend uses: every call of a scenario that takes every path
/// (start with claim, Secret and Service, a leftover pod, polls, logs, stop, orphan removal) is granted, and every
/// granted rule is used; and <see cref="KubernetesAccess"/>, what <c>outpost check</c> asks about, is the same list.
/// </summary>
public sealed class RbacManifestTests
{
    [Fact]
    public async Task RbacYaml_GrantsExactlyTheCallsTheBackendMakes()
    {
        await using var f = await KubernetesBackendFixture.StartAsync(o => o.Pod.StoragePvcEnsure = true);
        f.Options.Pod.StorageCapacity = "1Gi";
        f.Server.StartPodsAutomatically();
        var certs = new ServerCerts("K", "C", "CA", new Dictionary<string, string>());
        var misc = new { services_enabled = true, pod_name_template = "nb-{username}", internal_ssl = true };

        var first = await f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: misc, certs: certs), new RecordingStartContext(), CancellationToken.None);
        var second = await f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: misc, certs: certs, startId: "2"), new RecordingStartContext(), CancellationToken.None);
        await f.Backend.GetStatusAsync(first.Handle, CancellationToken.None);
        await f.Backend.GetLogsAsync(second.Handle, 10, CancellationToken.None);
        await f.Backend.StopAsync(second.Handle, CancellationToken.None);
        f.Options.RemoveOrphans = true;
        await f.Backend.SweepOrphansAsync([], CancellationToken.None); // second sweep renews the Lease
        await f.Backend.SweepOrphansAsync([], CancellationToken.None);

        var used = f.Server.Requests.Where(r => r.Resource.Length > 0)
            .Select(r => (Group(r.Resource), r.Resource, r.Verb)).ToHashSet();
        var granted = Granted();

        Assert.Empty(used.Except(granted));
        Assert.Empty(granted.Except(used));
    }

    [Fact]
    public void KubernetesAccess_WithOrphanRemoval_IsExactlyWhatRbacYamlGrants()
    {
        var needed = KubernetesAccess.Needed(new KubernetesBackendOptions { RemoveOrphans = true })
            .Select(p => (p.Group, p.Resource, p.Verb)).ToHashSet();

        Assert.Equal(Granted().Order(), needed.Order());
    }

    /// <summary>
    /// With NamespaceTemplate the chart grants the Role's rules in every namespace plus creating namespaces
    /// (scripts/test_deploy.py checks the rendered ClusterRole is exactly that): the calls of a start and stop in a new
    /// namespace are all granted, and creating the namespace is the only call beyond the Role.
    /// </summary>
    [Fact]
    public async Task NamespaceTemplate_UsesTheRolesRulesPlusNamespacesCreate()
    {
        await using var f = await KubernetesBackendFixture.StartAsync(o =>
        {
            o.Namespace = null;
            o.NamespaceTemplate = "jupyter-{hub}-{username}";
        });
        f.Server.StartPodsAutomatically();

        var started = await f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None);
        await f.Backend.GetLogsAsync(started.Handle, 10, CancellationToken.None);
        await f.Backend.StopAsync(started.Handle, CancellationToken.None);

        var used = f.Server.Requests.Where(r => r.Resource.Length > 0).Select(r => (Group(r.Resource), r.Resource, r.Verb)).ToHashSet();
        var clusterWide = Granted().Append(("", KubeResource.Namespaces.Plural, "create")).ToHashSet();
        Assert.Empty(used.Except(clusterWide));
        Assert.Contains(("", KubeResource.Namespaces.Plural, "create"), used);
        var needed = KubernetesAccess.Needed(new KubernetesBackendOptions { NamespaceTemplate = "jupyter-{hub}", RemoveOrphans = true })
            .Select(p => (p.Group, p.Resource, p.Verb)).ToHashSet();
        Assert.Equal(clusterWide.Order(), needed.Order());
    }


    // Everything the backend touches in its namespace is in the core API group.
    private static string Group(string resource) => KubeResource.Pods.Group;

    private static HashSet<(string Group, string Resource, string Verb)> Granted()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Outpost.slnx")))
        {
            dir = dir.Parent;
        }
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(dir!.FullName, "deploy", "kubernetes", "rbac.yaml"))));
        var role = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Single(d => d["kind"].ToString() == "Role");
        var granted = new HashSet<(string, string, string)>();
        foreach (var rule in ((YamlSequenceNode)role["rules"]).Cast<YamlMappingNode>())
        {
            foreach (var group in (YamlSequenceNode)rule["apiGroups"])
            foreach (var resource in (YamlSequenceNode)rule["resources"])
            foreach (var verb in (YamlSequenceNode)rule["verbs"])
            {
                granted.Add((group.ToString(), resource.ToString(), verb.ToString()));
            }
        }
        return granted;
    }
}
