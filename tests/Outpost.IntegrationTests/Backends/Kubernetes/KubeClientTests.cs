using System.Net;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The thin client against the wire-level fake: paths, JSON, selectors, errors and watches over real HTTP.</summary>
public sealed class KubeClientTests : IAsyncLifetime
{
    private const string Ns = "jhub";
    private FakeKubeApiServer _server = null!;
    private KubeClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _client = new KubeClient(_server.Config, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static V1Pod Pod(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "notebook", Image = "jupyter/base:1" }] },
    };

    [Fact]
    public async Task CreateAsync_Pod_ServerAssignsUidAndResourceVersion()
    {
        var created = await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);

        Assert.Equal("Pod", created.Kind);
        Assert.Equal(Ns, created.Metadata!.NamespaceProperty);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal("Pending", created.Status!.Phase);
        Assert.Equal("jupyter/base:1", _server.Get("pods", Ns, "a")!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Contains(_server.Requests, r => r is { Method: "POST", Path: "/api/v1/namespaces/jhub/pods" });
    }

    [Fact]
    public async Task CreateAsync_Existing_ThrowsConflictWithReason()
    {
        await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);

        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.CreateAsync(Ns, Pod("a"), CancellationToken.None));

        Assert.True(e.IsConflict);
        Assert.Equal("AlreadyExists", e.Reason);
    }

    [Fact]
    public async Task ExecCredentialPlugin_TheTokenItPrints_AuthenticatesCallsAndWatches()
    {
        // The login of EKS, GKE and AKS kubeconfigs: a command that prints an ExecCredential. This one is a script.
        var kubeconfig = _server.WriteKubeconfig(Ns, execToken: "exec-token-1");
        using var client = new KubeClient(KubeClient.FromKubeConfig(kubeconfig), TimeSpan.FromSeconds(10));
        _server.RequiredToken = "exec-token-1";
        var refused = await Assert.ThrowsAsync<KubeApiException>(() => _client.ListAsync<V1Pod>(Ns)); // no credentials

        await client.CreateAsync(Ns, Pod("a"), CancellationToken.None);
        var list = await client.ListAsync<V1Pod>(Ns, cancellationToken: CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in client.WatchAsync<V1Pod>(Ns, "", cancellationToken: cts.Token))
        {
            Assert.Equal("a", change.Object!.Metadata!.Name);
            break;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(Ns, client.DefaultNamespace);
        Assert.Single(list.Items);
        foreach (var verb in new[] { "create", "list", "watch" })
        {
            Assert.Contains(_server.Requests, r => r.Verb == verb && r.Authorization == "Bearer exec-token-1");
        }
    }

    [Fact]
    public async Task ServiceAccountToken_RotatedFile_IsSentFromTheNextRequestOn()
    {
        // In a pod the kubelet rewrites the projected token long before it expires; the old one stops working.
        var dir = Directory.CreateTempSubdirectory("kubeclient-token-").FullName;
        try
        {
            var file = Path.Combine(dir, "token");
            File.WriteAllText(file, "first-token\n");
            var config = _server.Config;
            config.TokenProvider = new ServiceAccountToken(file);
            using var client = new KubeClient(config, TimeSpan.FromSeconds(10));
            _server.RequiredToken = "first-token";
            await client.CreateAsync(Ns, Pod("a"), CancellationToken.None);

            File.WriteAllText(file, "second-token\n");
            File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(1)); // a new time even on a coarse clock
            _server.RequiredToken = "second-token";
            var list = await client.ListAsync<V1Pod>(Ns);

            Assert.Equal("a", Assert.Single(list.Items).Metadata!.Name);
            Assert.Contains(_server.Requests, r => r.Verb == "create" && r.Authorization == "Bearer first-token");
            Assert.Contains(_server.Requests, r => r.Verb == "list" && r.Authorization == "Bearer second-token");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task WrongToken_IsUnauthorizedNamingTheCall()
    {
        var config = _server.Config;
        config.AccessToken = "stale";
        using var client = new KubeClient(config, TimeSpan.FromSeconds(10));
        _server.RequiredToken = "fresh";

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.CreateAsync(Ns, Pod("a"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("create pods 'a' in namespace 'jhub' (401 Unauthorized)", e.Message);
        Assert.Equal(2, _server.Requests.Count(r => r.Verb == "create" && r.Authorization == "Bearer stale")); // retried once
    }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull() =>
        Assert.Null(await _client.GetAsync<V1Pod>(Ns, "nope", CancellationToken.None));

    [Fact]
    public async Task ListAsync_LabelSelector_FiltersAndCarriesResourceVersion()
    {
        await _client.CreateAsync(Ns, Pod("a", new() { ["hub"] = "one" }), CancellationToken.None);
        await _client.CreateAsync(Ns, Pod("b", new() { ["hub"] = "two" }), CancellationToken.None);

        var list = await _client.ListAsync<V1Pod>(Ns, labelSelector: "hub=two");

        Assert.Equal(["b"], list.Items.Select(p => p.Metadata!.Name));
        Assert.Equal(_server.ResourceVersion.ToString(), list.Metadata!.ResourceVersion);
    }

    [Fact]
    public async Task DeleteAsync_ReportsWhetherTheObjectExisted()
    {
        await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);

        Assert.True(await _client.DeleteAsync<V1Pod>(Ns, "a", 5, CancellationToken.None));
        Assert.False(await _client.DeleteAsync<V1Pod>(Ns, "a", 5, CancellationToken.None));
        Assert.Contains(_server.Requests, r => r.Method == "DELETE" && r.Query == "?gracePeriodSeconds=5");
    }

    [Fact]
    public async Task PatchAsync_MergePatch_AddsAndRemovesLabels()
    {
        await _client.CreateAsync(Ns, Pod("a", new() { ["x"] = "1", ["y"] = "2" }), CancellationToken.None);

        var patched = await _client.PatchAsync<V1Pod>(Ns, "a",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["x"] = null, ["z"] = "3" } } },
            CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["y"] = "2", ["z"] = "3" }, patched.Metadata!.Labels);
    }

    [Fact]
    public async Task Secret_DataRoundTripsAsBase64()
    {
        await _client.CreateAsync(Ns, new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            Data = new Dictionary<string, byte[]> { ["ssl.key"] = "PEM"u8.ToArray() },
        }, CancellationToken.None);

        Assert.Equal("UEVN", _server.Get("secrets", Ns, "s")!["data"]!["ssl.key"]!.GetValue<string>());
        var read = await _client.GetAsync<V1Secret>(Ns, "s", CancellationToken.None);
        Assert.Equal("PEM"u8.ToArray(), read!.Data!["ssl.key"]);
    }

    [Fact]
    public async Task Forbidden_MessageNamesVerbAndResource()
    {
        _server.Fail("POST", "/pods", 403);

        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.CreateAsync(Ns, Pod("a"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Contains("RBAC permission for verb 'create' on resource 'pods' in namespace 'jhub'", e.Message);
        Assert.Contains("system:serviceaccount", e.Message);
    }

    [Fact]
    public async Task ServerError_IsAnApiExceptionWithTheCode()
    {
        _server.Fail("GET", "/pods", 500);

        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.ListAsync<V1Pod>(Ns));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("failed to list pods", e.Message);
    }

    [Fact]
    public async Task ReadLogAsync_ReturnsTail()
    {
        await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);
        _server.SetLogs(Ns, "a", "one", "two", "three");

        var log = await _client.ReadLogAsync(Ns, "a", "notebook", 2, CancellationToken.None);

        Assert.Equal("two\nthree\n", log);
        Assert.Contains(_server.Requests, r => r.Resource == "pods/log" && r.Query == "?container=notebook&tailLines=2");
    }

    [Fact]
    public async Task WatchAsync_FromResourceVersion_SeesLaterChangesOnly()
    {
        await _client.CreateAsync(Ns, Pod("old"), CancellationToken.None);
        var rv = (await _client.ListAsync<V1Pod>(Ns)).Metadata!.ResourceVersion;
        await _client.CreateAsync(Ns, Pod("new"), CancellationToken.None);
        _server.SetPodRunning(Ns, "new", "10.0.0.5");
        await _client.DeleteAsync<V1Pod>(Ns, "new", 0, CancellationToken.None);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        await foreach (var e in _client.WatchAsync<V1Pod>(Ns, rv, cancellationToken: cts.Token))
        {
            seen.Add($"{e.Type} {e.Object!.Metadata!.Name} {e.Object.Status?.Phase}");
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["ADDED new Pending", "MODIFIED new Running", "DELETED new Running"], seen);
    }

    [Fact]
    public async Task WatchAsync_LiveChangeArrivesWhileStreamIsOpen()
    {
        var rv = (await _client.ListAsync<V1Pod>(Ns)).Metadata!.ResourceVersion;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var watch = _client.WatchAsync<V1Pod>(Ns, rv, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync().AsTask();
        await WaitUntil(() => _server.OpenWatches == 1);

        await _client.CreateAsync(Ns, Pod("live"), CancellationToken.None);

        Assert.True(await next);
        Assert.Equal("live", watch.Current.Object!.Metadata!.Name);
    }

    [Fact]
    public async Task WatchAsync_CompactedResourceVersion_Throws410()
    {
        await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);
        _server.Compact();

        var e = await Assert.ThrowsAsync<KubeApiException>(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var _ in _client.WatchAsync<V1Pod>(Ns, "1000", cancellationToken: cts.Token))
            {
            }
        });

        Assert.True(e.IsGone);
        Assert.Equal("Expired", e.Reason);
    }

    [Fact]
    public async Task WatchAsync_DroppedStream_EndsWithAnError()
    {
        var rv = (await _client.ListAsync<V1Pod>(Ns)).Metadata!.ResourceVersion;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watching = Task.Run(async () =>
        {
            await foreach (var _ in _client.WatchAsync<V1Pod>(Ns, rv, cancellationToken: cts.Token))
            {
            }
        });
        await WaitUntil(() => _server.OpenWatches == 1);

        _server.DropWatches();

        var e = await Record.ExceptionAsync(() => watching.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(e is IOException or HttpRequestException, $"unexpected {e}");
    }

    [Fact]
    public async Task WatchAsync_FieldSelector_ReplaysMatchingEventsAsAdded()
    {
        await _client.CreateAsync(Ns, Pod("a"), CancellationToken.None);
        await _client.CreateAsync(Ns, Pod("b"), CancellationToken.None);
        _server.AddPodEvent(Ns, "a", "Normal", "Scheduled", "assigned a");
        _server.AddPodEvent(Ns, "b", "Normal", "Scheduled", "assigned b");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var e in _client.WatchAsync<Corev1Event>(Ns, "", fieldSelector: "involvedObject.name=b", cancellationToken: cts.Token))
        {
            Assert.Equal("ADDED", e.Type);
            Assert.Equal("assigned b", e.Object!.Message);
            Assert.Equal("b", e.Object.InvolvedObject!.Name);
            break;
        }
    }

    internal static async Task WaitUntil(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(10);
        }
    }
}
