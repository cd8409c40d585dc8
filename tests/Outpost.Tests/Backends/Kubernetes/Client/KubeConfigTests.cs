using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Exceptions;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes.Client;

/// <summary>Kubeconfig files as the client library reads them for the Outpost (<see cref="KubeClient.FromKubeConfig"/>).</summary>
public sealed class KubeConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (string CertPem, string KeyPem) SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void FromKubeConfig_TokenAndInlineCa_UsesCurrentContext()
    {
        var (ca, _) = SelfSigned("cluster-ca");
        var path = Write($"""
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: c1
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority-data: {B64(ca)}
            users:
            - name: u1
              user:
                token: abc.def
            - name: u2
              user:
                username: nobody
                password: secret
            contexts:
            - name: dev
              context:
                cluster: c1
                user: u1
                namespace: jhub
            - name: other
              context:
                cluster: c1
                user: u2
            """);

        var config = KubeClient.FromKubeConfig(path);

        Assert.Equal("https://10.0.0.1:6443", config.Host.TrimEnd('/'));
        Assert.Equal("jhub", config.Namespace);
        Assert.Equal("abc.def", config.AccessToken);
        Assert.Equal("CN=cluster-ca", Assert.Single(config.SslCaCerts).Subject);
        Assert.Null(config.ClientCertificateData);
        Assert.Null(KubeClient.FromKubeConfig(path, "other").AccessToken);
    }

    [Fact]
    public void FromKubeConfig_ClientCertificateFiles_AreResolvedBesideTheFile()
    {
        var (cert, key) = SelfSigned("outpost");
        File.WriteAllText(Path.Combine(_dir, "client.crt"), cert);
        File.WriteAllText(Path.Combine(_dir, "client.key"), key);
        var path = Write("""
            current-context: x
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {client-certificate: client.crt, client-key: client.key}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            """);

        var config = KubeClient.FromKubeConfig(path);

        Assert.True(config.SkipTlsVerify);
        Assert.Equal(Path.Combine(_dir, "client.crt"), config.ClientCertificateFilePath);
        Assert.Equal(Path.Combine(_dir, "client.key"), config.ClientKeyFilePath);
    }

    [Fact]
    public void FromKubeConfig_ExecPluginThatFails_SaysSo()
    {
        // The hand-written client refused exec plugins outright; the library runs them (KubeClientTests runs one that
        // works against the fake API server). One that prints nothing is reported, not ignored.
        var path = Write("""
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h"}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            """);

        var e = Assert.ThrowsAny<KubeConfigException>(() => KubeClient.FromKubeConfig(path));

        Assert.Contains("exec", e.Message);
    }

    [Fact]
    public void FromKubeConfig_MissingContext_SaysWhich()
    {
        var path = Write("current-context: nope\ncontexts: []\nclusters: []\nusers: []\n");

        var e = Assert.ThrowsAny<KubeConfigException>(() => KubeClient.FromKubeConfig(path));

        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void InCluster_OutsideAPod_SaysSo()
    {
        Assert.Null(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")); // the tests do not run in a pod

        var e = Assert.Throws<InvalidOperationException>(KubeClient.InCluster);

        Assert.Contains("KUBERNETES_SERVICE_HOST", e.Message);
    }
}
