using Outpost.Servers;

namespace Outpost.Backends.LocalProcess;

/// <summary>
/// Builds a server's environment: a minimal base (never the Outpost's own variables, which may hold
/// secrets), the administrator's variables, the hub's (already policy-filtered) variables, and finally
/// what only the Outpost can know: where the server listens and where its certificates are.
/// </summary>
internal static class LocalProcessEnvironment
{
    public static Dictionary<string, string> Build(
        ServerSpec spec,
        LocalProcessBackendOptions options,
        string home,
        string ip,
        int port,
        IReadOnlyDictionary<string, string> certPaths)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["HOME"] = home,
        };
        foreach (var (key, value) in options.Environment)
        {
            env[key] = value;
        }
        foreach (var (key, value) in spec.Env)
        {
            env[key] = value;
        }
        var secure = certPaths.Count > 0;
        env[HubEnv.ServiceUrl] = ServiceUrl(spec, secure, ip, port);
        if (secure)
        {
            // Local paths win over whatever paths the hub sent: those exist on the hub, not here.
            env[HubEnv.SslKeyFile] = certPaths["keyfile"];
            env[HubEnv.SslCertFile] = certPaths["certfile"];
            env[HubEnv.SslClientCa] = certPaths["cafile"];
        }
        else
        {
            env.Remove(HubEnv.SslKeyFile);
            env.Remove(HubEnv.SslCertFile);
            env.Remove(HubEnv.SslClientCa);
        }
        return env;
    }

    private static string ServiceUrl(ServerSpec spec, bool secure, string ip, int port)
    {
        var path = "/";
        if (spec.Env.TryGetValue(HubEnv.ServiceUrl, out var sent) && Uri.TryCreate(sent, UriKind.Absolute, out var uri))
        {
            path = uri.AbsolutePath;
        }
        else if (spec.Env.TryGetValue("JUPYTERHUB_SERVICE_PREFIX", out var prefix) && prefix.StartsWith('/'))
        {
            path = prefix;
        }
        var host = ip.Contains(':') ? $"[{ip}]" : ip;
        return $"{(secure ? "https" : "http")}://{host}:{port}{path}";
    }
}
