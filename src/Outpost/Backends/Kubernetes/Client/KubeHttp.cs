using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The HTTP side of a <see cref="KubernetesClientConfiguration"/> as the library's own client sets it up: the cluster's
/// CA (or none with insecure-skip-tls-verify), the TLS server name, a client certificate, and the credentials on each
/// request (an exec plugin's or a token file's provider, a fixed token, or basic auth). Built here rather than through
/// the library's <c>Kubernetes</c> class, whose serializer reaches every model of every API group.
/// </summary>
public static class KubeHttp
{
    /// <summary>The API server's address without a trailing slash; a path prefix (an API proxy) is kept.</summary>
    public static string BaseAddress(KubernetesClientConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config.Host) || !Uri.TryCreate(config.Host, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The Kubernetes API server address '{config.Host}' is not an http(s) URL.", nameof(config));
        }
        return uri.ToString().TrimEnd('/');
    }

    public static HttpMessageHandler CreateHandler(KubernetesClientConfiguration config)
    {
        var handler = new SocketsHttpHandler
        {
            // Watches stay open for minutes: pings find a dead connection while a request is waiting on it.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        if (config.SkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.SslCaCerts is { Count: > 0 } authorities)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IssuedBy(authorities, certificate, errors);
        }
        if (!string.IsNullOrEmpty(config.TlsServerName))
        {
            handler.SslOptions.TargetHost = config.TlsServerName;
        }
        if (ClientCertificate(config) is { } clientCertificate)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }
        return handler;
    }

    /// <summary>Sets the request's Authorization header from the configuration; a provider is asked each time (tokens rotate).</summary>
    public static async Task AuthorizeAsync(KubernetesClientConfiguration config, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (config.TokenProvider is { } provider)
        {
            request.Headers.Authorization = await provider.GetAuthenticationHeaderAsync(cancellationToken);
        }
        else if (!string.IsNullOrEmpty(config.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
        }
        else if (!string.IsNullOrEmpty(config.Username))
        {
            var pair = Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }
    }

    /// <summary>The client certificate and key (PEM, inline as base64 or in files), or null when the user has none.</summary>
    public static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        var certificate = Pem(config.ClientCertificateData, config.ClientCertificateFilePath);
        var key = Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath);
        if (certificate is null || key is null)
        {
            return null;
        }
        using var withKey = X509Certificate2.CreateFromPem(certificate, key);
        // TLS wants the key in a store it can use, not an ephemeral one: go through PKCS#12 once.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static string? Pem(string? base64, string? path) =>
        !string.IsNullOrEmpty(base64) ? Encoding.UTF8.GetString(Convert.FromBase64String(base64))
        : !string.IsNullOrEmpty(path) ? File.ReadAllText(path)
        : null;

    /// <summary>Whether the server's certificate chains up to one of the configured authorities (and names the host).</summary>
    private static bool IssuedBy(X509Certificate2Collection authorities, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false; // no certificate, or a name that does not match: no CA makes that right
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(server ?? (X509Certificate2)certificate);
    }
}
