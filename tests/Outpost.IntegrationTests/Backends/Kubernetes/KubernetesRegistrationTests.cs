using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The backend as the app wires it: from configuration, with a kubeconfig file that points at the wire fake.</summary>
public sealed class KubernetesRegistrationTests : IAsyncLifetime
{
    private FakeKubeApiServer _server = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _kubeconfig = _server.WriteKubeconfig("from-kubeconfig");
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBackends(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddBackends_WithKubernetesSection_RegistersAWorkingBackend()
    {
        await using var provider = Build(new()
        {
            ["Outpost:Backends:Default"] = "Kubernetes",
            ["Outpost:Backends:Kubernetes:KubeConfigPath"] = _kubeconfig,
            ["Outpost:Backends:Kubernetes:Pod:Image"] = "jupyter/minimal:1",
            ["Outpost:Backends:Kubernetes:Profiles:big:CpuLimit"] = "4",
        });
        _server.StartPodsAutomatically();

        var backend = provider.GetRequiredService<BackendCatalog>().Default;
        var result = await backend.StartAsync(KubernetesBackendFixture.Request(profile: "big"), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BackendNames.Kubernetes, backend.Name);
        Assert.IsType<KubernetesBackend>(backend);
        Assert.Contains(provider.GetServices<IOrphanSweeper>(), s => s is KubernetesBackend);
        var pod = _server.Get("pods", "from-kubeconfig", "hub-a-alice--1")!;
        Assert.Equal("4", pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"]!.GetValue<string>());
        Assert.All(_server.Requests.Where(r => r.Resource.Length > 0), r => Assert.Equal("from-kubeconfig", r.Path.Split('/')[4]));
        Assert.EndsWith(":8888", result.ServiceAddress);
    }

    [Fact]
    public async Task AddBackends_WithoutKubernetesSection_RegistersNothingOfIt()
    {
        await using var provider = Build(new() { ["Outpost:Backends:Local:Ip"] = "127.0.0.1" });

        Assert.DoesNotContain(provider.GetServices<IBackend>(), b => b.Name == BackendNames.Kubernetes);
        Assert.Null(provider.GetService<KubernetesBackend>());
    }

    [Fact]
    public async Task AddBackends_BadKubernetesSection_FailsNamingEachKey()
    {
        await using var provider = Build(new()
        {
            ["Outpost:Backends:Kubernetes:KubeConfigPath"] = _kubeconfig,
            ["Outpost:Backends:Kubernetes:Pod:Port"] = "0",
            ["Outpost:Backends:Kubernetes:Profiles:gpu:ImagePullPolicy"] = "Sometimes",
        });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesBackendOptions>>().Value);

        Assert.Contains("Outpost:Backends:Kubernetes:Pod:Port must be a TCP port between 1 and 65535 (got 0).", e.Failures);
        Assert.Contains("Outpost:Backends:Kubernetes:Profiles:gpu:ImagePullPolicy must be Always, IfNotPresent or Never (got 'Sometimes').", e.Failures);
    }
}
