using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// The client's TLS, which it sets up itself from the library's configuration: the API server's certificate must chain
/// to the kubeconfig's certificate authority, unless the kubeconfig says to skip the check.
/// </summary>
public sealed class KubeClientTlsTests : IAsyncLifetime
{
    private readonly InternalSslPki _pki = InternalSslPki.Create();
    private readonly InternalSslPki _otherPki = InternalSslPki.Create();
    private FakeKubeApiServer _server = null!;

    public async Task InitializeAsync()
    {
        var certs = _pki.ServerCerts;
        using var pem = X509Certificate2.CreateFromPem(certs.CertFile, certs.KeyFile);
        _server = await FakeKubeApiServer.StartAsync(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _pki.Dispose();
        _otherPki.Dispose();
    }

    private KubernetesClientConfiguration Config(string caPem) => new()
    {
        Host = _server.Address.ToString(),
        SslCaCerts = [X509Certificate2.CreateFromPem(caPem)],
        AccessToken = "t",
    };

    [Fact]
    public async Task ServerCertificateFromTheConfiguredAuthority_IsTrusted()
    {
        using var client = new KubeClient(Config(_pki.ServerCerts.CaFile), TimeSpan.FromSeconds(10));

        var list = await client.ListAsync<V1Pod>("jhub");

        Assert.StartsWith("https://", _server.Address.ToString());
        Assert.Empty(list.Items);
        Assert.Contains(_server.Requests, r => r.Verb == "list" && r.Authorization == "Bearer t");
    }

    [Fact]
    public async Task ServerCertificateFromAnotherAuthority_IsRefusedBeforeAnyRequest()
    {
        using var client = new KubeClient(Config(_otherPki.ServerCerts.CaFile), TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.ListAsync<V1Pod>("jhub"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Contains("cannot reach", e.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task SkipTlsVerify_AcceptsAnyCertificate()
    {
        var config = Config(_otherPki.ServerCerts.CaFile);
        config.SkipTlsVerify = true;
        using var client = new KubeClient(config, TimeSpan.FromSeconds(10));

        Assert.Empty((await client.ListAsync<V1Pod>("jhub")).Items);
    }
}
