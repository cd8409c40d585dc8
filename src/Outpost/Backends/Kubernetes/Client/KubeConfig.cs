using System.Security.Cryptography.X509Certificates;
using YamlDotNet.RepresentationModel;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// How to reach and authenticate to one Kubernetes API server: from the pod's service account
/// (<see cref="InCluster"/>) or from a kubeconfig file (<see cref="FromFile"/>).
/// </summary>
public sealed record KubeConfig
{
    /// <summary>Where Kubernetes mounts a pod's service-account token, CA bundle and namespace.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Base address of the API server, e.g. https://10.0.0.1:443.</summary>
    public required Uri Server { get; init; }

    /// <summary>Namespace from the kubeconfig context or the service account, if any.</summary>
    public string? Namespace { get; init; }

    /// <summary>A fixed bearer token.</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the bearer token; re-read periodically because kubelet rotates projected tokens.</summary>
    public string? TokenFile { get; init; }

    /// <summary>CA certificates that sign the API server's certificate; when empty the system store is used.</summary>
    public X509Certificate2Collection CaCertificates { get; init; } = [];

    /// <summary>Client certificate with its private key, for certificate authentication.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Accept any server certificate (kubeconfig <c>insecure-skip-tls-verify</c>). Only for tests.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary>
    /// The service account of the pod the Outpost runs in: KUBERNETES_SERVICE_HOST/PORT, the token file
    /// (read again on rotation), ca.crt and the namespace file.
    /// </summary>
    public static KubeConfig InCluster(string directory = ServiceAccountDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new InvalidOperationException(
                "Not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set. Configure a kubeconfig file instead.");
        }
        var tokenFile = Path.Combine(directory, "token");
        if (!File.Exists(tokenFile))
        {
            throw new InvalidOperationException($"The service-account token file {tokenFile} does not exist.");
        }
        var caFile = Path.Combine(directory, "ca.crt");
        var nsFile = Path.Combine(directory, "namespace");
        var hostPart = host.Contains(':') ? $"[{host}]" : host;
        return new KubeConfig
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            TokenFile = tokenFile,
            CaCertificates = File.Exists(caFile) ? LoadPemBundle(File.ReadAllText(caFile)) : [],
            Namespace = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : null,
        };
    }

    /// <summary>Reads a kubeconfig file; relative file paths in it are resolved against the file's folder.</summary>
    public static KubeConfig FromFile(string path, string? context = null) =>
        FromYaml(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, context);

    /// <summary>
    /// Parses kubeconfig YAML: the chosen (or current) context's cluster (server, certificate-authority[-data],
    /// insecure-skip-tls-verify), user (token, tokenFile, client-certificate[-data], client-key[-data]) and namespace.
    /// </summary>
    public static KubeConfig FromYaml(string yaml, string baseDirectory, string? context = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidOperationException("The kubeconfig is empty or not a YAML mapping.");
        }
        var contextName = context ?? Scalar(root, "current-context")
            ?? throw new InvalidOperationException("The kubeconfig names no current-context and none was configured.");
        var ctx = Named(root, "contexts", contextName, "context");
        var clusterName = Scalar(ctx, "cluster") ?? throw new InvalidOperationException($"Context '{contextName}' names no cluster.");
        var cluster = Named(root, "clusters", clusterName, "cluster");
        var userName = Scalar(ctx, "user");
        var user = userName is null ? null : Named(root, "users", userName, "user");

        var server = Scalar(cluster, "server") ?? throw new InvalidOperationException($"Cluster '{clusterName}' has no server.");
        var ca = ReadMaterial(cluster, "certificate-authority", baseDirectory);
        X509Certificate2? clientCert = null;
        string? token = null;
        string? tokenFile = null;
        if (user is not null)
        {
            var certPem = ReadMaterial(user, "client-certificate", baseDirectory);
            var keyPem = ReadMaterial(user, "client-key", baseDirectory);
            if (certPem is not null && keyPem is not null)
            {
                clientCert = X509Certificate2.CreateFromPem(certPem, keyPem);
            }
            else if (certPem is not null || keyPem is not null)
            {
                throw new InvalidOperationException($"User '{userName}' has a client certificate or key but not both.");
            }
            token = Scalar(user, "token");
            tokenFile = Scalar(user, "tokenFile") is { } tf ? Path.Combine(baseDirectory, tf) : null;
            if (user.Children.ContainsKey(new YamlScalarNode("exec")) || user.Children.ContainsKey(new YamlScalarNode("auth-provider")))
            {
                throw new InvalidOperationException(
                    $"User '{userName}' authenticates with an exec or auth-provider plugin, which Outpost does not run. Use a token or a client certificate.");
            }
        }
        return new KubeConfig
        {
            Server = new Uri(server),
            Namespace = Scalar(ctx, "namespace"),
            Token = token,
            TokenFile = tokenFile,
            CaCertificates = ca is null ? [] : LoadPemBundle(ca),
            ClientCertificate = clientCert,
            SkipTlsVerify = string.Equals(Scalar(cluster, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>All certificates of a PEM bundle.</summary>
    public static X509Certificate2Collection LoadPemBundle(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static YamlMappingNode Named(YamlMappingNode root, string listKey, string name, string innerKey)
    {
        if (root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) && list is YamlSequenceNode items)
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") == name && item.Children.TryGetValue(new YamlScalarNode(innerKey), out var inner))
                {
                    return inner as YamlMappingNode ?? new YamlMappingNode();
                }
            }
        }
        throw new InvalidOperationException($"The kubeconfig has no entry '{name}' under {listKey}.");
    }

    /// <summary>PEM text from "<paramref name="key"/>-data" (base64) or from the file "<paramref name="key"/>" names.</summary>
    private static string? ReadMaterial(YamlMappingNode node, string key, string baseDirectory)
    {
        if (Scalar(node, key + "-data") is { } data)
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }
        return Scalar(node, key) is { } file ? File.ReadAllText(Path.Combine(baseDirectory, file)) : null;
    }
}
