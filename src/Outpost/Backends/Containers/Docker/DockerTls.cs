using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Outpost.Backends.Containers.Docker;

/// <summary>
/// TLS for a <c>tcp://</c> engine, as Docker's own <c>--tlsverify</c>: the engine's certificate must chain to
/// <see cref="CaFile"/>, and the client proves itself with a certificate and key (PEM files).
/// </summary>
public sealed record DockerTls(string CaFile, string CertFile, string KeyFile)
{
    public SslClientAuthenticationOptions ClientOptions()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        using var pem = X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
        // Exported and re-read: an ephemeral PEM key cannot be used by the TLS stack on every platform.
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new SslClientAuthenticationOptions
        {
            ClientCertificates = [client],
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                // The chain is judged below against our CA alone; the name must still match the endpoint's host.
                if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        };
    }
}
