using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes.Client;

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

    [Fact]
    public void FromYaml_TokenAndInlineCa_UsesCurrentContext()
    {
        var (ca, _) = SelfSigned("cluster-ca");
        var yaml = $"""
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
            contexts:
            - name: dev
              context:
                cluster: c1
                user: u1
                namespace: jhub
            - name: other
              context:
                cluster: c1
            """;

        var config = KubeConfig.FromYaml(yaml, _dir);

        Assert.Equal(new Uri("https://10.0.0.1:6443"), config.Server);
        Assert.Equal("jhub", config.Namespace);
        Assert.Equal("abc.def", config.Token);
        Assert.Equal("CN=cluster-ca", Assert.Single(config.CaCertificates).Subject);
        Assert.Null(config.ClientCertificate);
        Assert.Null(KubeConfig.FromYaml(yaml, _dir, "other").Token);
    }

    [Fact]
    public void FromFile_ClientCertificateFilesAndTokenFile_AreResolvedBesideTheFile()
    {
        var (cert, key) = SelfSigned("outpost");
        File.WriteAllText(Path.Combine(_dir, "client.crt"), cert);
        File.WriteAllText(Path.Combine(_dir, "client.key"), key);
        File.WriteAllText(Path.Combine(_dir, "token"), "from-file\n");
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, """
            current-context: x
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {client-certificate: client.crt, client-key: client.key, tokenFile: token}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            """);

        var config = KubeConfig.FromFile(path);

        Assert.True(config.SkipTlsVerify);
        Assert.Equal("CN=outpost", config.ClientCertificate!.Subject);
        Assert.True(config.ClientCertificate.HasPrivateKey);
        Assert.Equal(Path.Combine(_dir, "token"), config.TokenFile);
    }

    [Fact]
    public void FromYaml_ExecPlugin_IsRefusedWithAReason()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KubeConfig.FromYaml("""
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            """, _dir));

        Assert.Contains("exec or auth-provider plugin", e.Message);
    }

    [Fact]
    public void FromYaml_MissingContext_SaysWhich()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KubeConfig.FromYaml("current-context: nope\ncontexts: []\n", _dir));

        Assert.Equal("The kubeconfig has no entry 'nope' under contexts.", e.Message);
    }

    [Fact]
    public void InCluster_ReadsServiceAccountFiles()
    {
        var (ca, _) = SelfSigned("in-cluster-ca");
        File.WriteAllText(Path.Combine(_dir, "token"), "sa-token");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), ca);
        File.WriteAllText(Path.Combine(_dir, "namespace"), "outpost\n");
        var env = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        var config = KubeConfig.InCluster(_dir, env.GetValueOrDefault);

        Assert.Equal(new Uri("https://10.96.0.1:443"), config.Server);
        Assert.Equal("outpost", config.Namespace);
        Assert.Equal(Path.Combine(_dir, "token"), config.TokenFile);
        Assert.Single(config.CaCertificates);
    }

    [Fact]
    public void InCluster_OutsideAPod_SaysSo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KubeConfig.InCluster(_dir, _ => null));

        Assert.Contains("KUBERNETES_SERVICE_HOST", e.Message);
    }
}
