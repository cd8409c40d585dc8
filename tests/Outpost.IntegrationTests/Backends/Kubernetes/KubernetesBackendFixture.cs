using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>A fake API server plus a real client, watches and backend pointed at it.</summary>
internal sealed class KubernetesBackendFixture : IAsyncDisposable
{
    public const string Ns = "jhub";

    private KubernetesBackendFixture(FakeKubeApiServer server, KubernetesBackendOptions options)
    {
        Server = server;
        Options = options;
        Client = new KubeClient(server.Config, TimeSpan.FromSeconds(10));
        Watches = new KubernetesWatches(Client, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance);
        Backend = NewBackend(Watches);
    }

    public FakeKubeApiServer Server { get; }

    public KubernetesBackendOptions Options { get; }

    public KubeClient Client { get; }

    public KubernetesWatches Watches { get; }

    public KubernetesBackend Backend { get; }

    public static async Task<KubernetesBackendFixture> StartAsync(Action<KubernetesBackendOptions>? configure = null)
    {
        var options = new KubernetesBackendOptions
        {
            Namespace = Ns,
            InstanceName = "test-outpost",
            Pod = new KubernetesPodOptions { Image = "jupyter/minimal:1", StartTimeout = 20 },
        };
        configure?.Invoke(options);
        return new KubernetesBackendFixture(await FakeKubeApiServer.StartAsync(), options);
    }

    /// <summary>A second backend with its own watches, as after an Outpost restart.</summary>
    public KubernetesBackend NewBackend(KubernetesWatches watches) =>
        new(Microsoft.Extensions.Options.Options.Create(Options), Client, watches, TimeProvider.System, NullLogger<KubernetesBackend>.Instance);

    public static BackendStartRequest Request(
        string hub = "hub-a", string user = "alice", string server = "", string startId = "1",
        object? misc = null, ServerCerts? certs = null, string? profile = null)
    {
        var miscElements = misc is null
            ? new Dictionary<string, JsonElement>()
            : JsonSerializer.SerializeToElement(misc).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var spec = new ServerSpec
        {
            Name = server,
            StartId = startId,
            Env = new Dictionary<string, string>
            {
                [HubEnv.User] = user,
                [HubEnv.UserId] = "7",
                [HubEnv.ApiToken] = "token-123",
                [HubEnv.ServiceUrl] = $"http://127.0.0.1:9999/user/{user}/{server}",
            },
            Misc = miscElements,
            Certs = certs,
            Profile = profile,
        };
        return new BackendStartRequest(new ServerKey(hub, server, startId), spec, $"{hub}-{user}-{server}-{startId}", "/tmp");
    }

    public async ValueTask DisposeAsync()
    {
        await Watches.DisposeAsync();
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
