using Outpost.Backends;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>NamespaceTemplate: a namespace per hub or user, created by the first server that needs it.</summary>
public sealed class NamespaceTemplateTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private KubernetesBackendFixture _f = null!;

    public async Task InitializeAsync() => _f = await KubernetesBackendFixture.StartAsync(o =>
    {
        o.Namespace = null;
        o.NamespaceTemplate = "jupyter-{hub}-{username}";
    });

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Start_CreatesTheUsersNamespaceOnFirstUse_AndPutsThePodThere()
    {
        _f.Server.StartPodsAutomatically();

        var first = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "Alice"), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);
        var second = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "Alice", server: "lab", startId: "2"),
            new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "bob", startId: "3"), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);

        var ns = _f.Server.Namespaces.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, ns.Count);
        Assert.StartsWith("jupyter-hub-a-alice-", ns[0]); // "Alice" is escaped, with a hash of the original
        Assert.Equal("jupyter-hub-a-bob", ns[1]);
        Assert.Equal("outpost", _f.Server.Namespaces[ns[0]]["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal(2, _f.Server.Names("pods", ns[0]).Count);
        // Once per namespace, not once per start: Alice's second server found hers already made.
        Assert.Equal(2, _f.Server.Requests.Count(r => r is { Method: "POST", Path: "/api/v1/namespaces" }));

        await _f.Backend.StopAsync(first.Handle, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(BackendState.Running, (await _f.Backend.GetStatusAsync(second.Handle, CancellationToken.None)).State);
        Assert.Single(_f.Server.Names("pods", ns[0]));
    }

    [Fact]
    public async Task Start_NamespaceExistsAlready_IsUsed()
    {
        _f.Server.StartPodsAutomatically();
        var restarted = _f.NewBackend(_f.Watches); // a second Outpost process: it does not know the namespace exists

        await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "bob"), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        var result = await restarted.StartAsync(KubernetesBackendFixture.Request(user: "bob", server: "x", startId: "2"),
            new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);

        Assert.Single(_f.Server.Namespaces);
        Assert.Equal(BackendState.Running, (await restarted.GetStatusAsync(result.Handle, CancellationToken.None)).State);
    }
}
