using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Outpost.Servers;

namespace Outpost.IntegrationTests;

/// <summary>
/// The certificates a hub with internal_ssl sends for one server, made in memory: a CA, a server certificate for
/// localhost signed by it, and a client certificate signed by the same CA (the server's client CA), so a test can
/// talk to the server as the hub's proxy would.
/// </summary>
public sealed class InternalSslPki : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _client;

    private InternalSslPki(X509Certificate2 ca, X509Certificate2 client, ServerCerts serverCerts)
    {
        _ca = ca;
        _client = client;
        ServerCerts = serverCerts;
    }

    /// <summary>What the Outpost receives in the start request's <c>certs</c>.</summary>
    public ServerCerts ServerCerts { get; }

    /// <summary>A CA, a server certificate for localhost, 127.0.0.1 and <paramref name="serverAddress"/> if given, and a client certificate.</summary>
    public static InternalSslPki Create(System.Net.IPAddress? serverAddress = null)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=outpost-test-notebooks-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var ca = caRequest.CreateSelfSigned(now, now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        if (serverAddress is not null)
        {
            names.AddIpAddress(serverAddress);
        }
        using var server = Issue(ca, serverKey, "CN=localhost", names.Build(), "1.3.6.1.5.5.7.3.1");

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issuedClient = Issue(ca, clientKey, "CN=proxy-client", null, "1.3.6.1.5.5.7.3.2");
        using var withKey = issuedClient.CopyWithPrivateKey(clientKey);
        // Through PKCS#12 so the key is one the TLS stack can use for a client certificate.
        var client = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);

        var certs = new ServerCerts(
            serverKey.ExportPkcs8PrivateKeyPem(), server.ExportCertificatePem(), ca.ExportCertificatePem(), new Dictionary<string, string>());
        return new InternalSslPki(ca, client, certs);
    }

    /// <summary>An HTTP client that presents the client certificate and trusts only the test CA.</summary>
    public HttpClient Client()
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [_client],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(_ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public void Dispose()
    {
        _ca.Dispose();
        _client.Dispose();
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa key, string subject, X509Extension? names, string usage)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }
        // Within the CA's validity: read from the clock again, "a day from now" can end after the CA (a loaded machine).
        return request.Create(ca, ca.NotBefore, ca.NotAfter, RandomNumberGenerator.GetBytes(8));
    }
}
