using Outpost.Backends.LocalProcess;
using Outpost.Servers;

namespace Outpost.Tests.Backends.LocalProcess;

public sealed class LocalProcessEnvironmentTests
{
    private static readonly IReadOnlyDictionary<string, string> NoCerts = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, string> LocalCerts = new Dictionary<string, string>
    {
        ["keyfile"] = "/data/certs/k.pem",
        ["certfile"] = "/data/certs/c.pem",
        ["cafile"] = "/data/certs/ca.pem",
    };

    [Fact]
    public void Build_OutpostOwnVariables_DoNotLeak()
    {
        const string name = "OUTPOST_TEST_LEAK_CANARY";
        Environment.SetEnvironmentVariable(name, "secret");
        try
        {
            var env = Build(Spec(), NoCerts);

            Assert.DoesNotContain(name, env.Keys);
            Assert.DoesNotContain("secret", env.Values);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Build_Base_HasPathLangAndHome()
    {
        var env = Build(Spec(), NoCerts);

        Assert.False(string.IsNullOrEmpty(env["PATH"]));
        Assert.Equal("C.UTF-8", env["LANG"]);
        Assert.Equal("/home/alice", env["HOME"]);
    }

    [Fact]
    public void Build_HubEnv_WinsOverAdminEnv()
    {
        var options = new LocalProcessBackendOptions
        {
            Environment = new() { ["JUPYTER_IMAGE"] = "admin", ["ADMIN_ONLY"] = "a", ["PATH"] = "/opt/bin" },
        };

        var env = Build(Spec(("JUPYTER_IMAGE", "hub")), NoCerts, options);

        Assert.Equal("hub", env["JUPYTER_IMAGE"]);
        Assert.Equal("a", env["ADMIN_ONLY"]);
        Assert.Equal("/opt/bin", env["PATH"]);
    }

    [Theory]
    [InlineData("http://hub.example:8081/user/alice/", "http://127.0.0.1:5123/user/alice/")]
    [InlineData("https://hub.example/user/alice/lab/", "http://127.0.0.1:5123/user/alice/lab/")]
    [InlineData("http://0.0.0.0:8888", "http://127.0.0.1:5123/")]
    [InlineData("not a url", "http://127.0.0.1:5123/")]
    public void Build_ServiceUrl_IsRewrittenToTheBindAddressKeepingThePath(string sent, string expected)
    {
        var env = Build(Spec((HubEnv.ServiceUrl, sent)), NoCerts);

        Assert.Equal(expected, env[HubEnv.ServiceUrl]);
    }

    [Fact]
    public void Build_NoServiceUrl_UsesServicePrefix()
    {
        var env = Build(Spec(("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")), NoCerts);

        Assert.Equal("http://127.0.0.1:5123/user/alice/", env[HubEnv.ServiceUrl]);
    }

    [Fact]
    public void Build_NoServiceUrlOrPrefix_UsesRoot() =>
        Assert.Equal("http://127.0.0.1:5123/", Build(Spec(), NoCerts)[HubEnv.ServiceUrl]);

    [Fact]
    public void Build_Ipv6Bind_IsBracketed()
    {
        var env = LocalProcessEnvironment.Build(
            Spec((HubEnv.ServiceUrl, "http://hub:8081/user/a/")), new LocalProcessBackendOptions(), "/home/alice", "::1", 5123, NoCerts);

        Assert.Equal("http://[::1]:5123/user/a/", env[HubEnv.ServiceUrl]);
    }

    [Fact]
    public void Build_Certs_UseHttpsAndLocalSslPaths()
    {
        var spec = Spec(
            (HubEnv.ServiceUrl, "https://hub.example:8081/user/alice/"),
            (HubEnv.SslKeyFile, "/srv/jupyterhub/hub-side/key.pem"),
            (HubEnv.SslCertFile, "/srv/jupyterhub/hub-side/cert.pem"),
            (HubEnv.SslClientCa, "/srv/jupyterhub/hub-side/ca.pem"));

        var env = Build(spec, LocalCerts);

        Assert.Equal("https://127.0.0.1:5123/user/alice/", env[HubEnv.ServiceUrl]);
        Assert.Equal("/data/certs/k.pem", env[HubEnv.SslKeyFile]);
        Assert.Equal("/data/certs/c.pem", env[HubEnv.SslCertFile]);
        Assert.Equal("/data/certs/ca.pem", env[HubEnv.SslClientCa]);
    }

    [Fact]
    public void Build_NoCerts_RemovesSslKeys()
    {
        var spec = Spec(
            (HubEnv.SslKeyFile, "/hub/key.pem"),
            (HubEnv.SslCertFile, "/hub/cert.pem"),
            (HubEnv.SslClientCa, "/hub/ca.pem"));
        var options = new LocalProcessBackendOptions { Environment = new() { [HubEnv.SslKeyFile] = "/admin/key.pem" } };

        var env = Build(spec, NoCerts, options);

        Assert.DoesNotContain(HubEnv.SslKeyFile, env.Keys);
        Assert.DoesNotContain(HubEnv.SslCertFile, env.Keys);
        Assert.DoesNotContain(HubEnv.SslClientCa, env.Keys);
    }

    private static Dictionary<string, string> Build(
        ServerSpec spec, IReadOnlyDictionary<string, string> certs, LocalProcessBackendOptions? options = null) =>
        LocalProcessEnvironment.Build(spec, options ?? new LocalProcessBackendOptions(), "/home/alice", "127.0.0.1", 5123, certs);

    private static ServerSpec Spec(params (string Key, string Value)[] env) => new()
    {
        Name = "lab",
        StartId = "0",
        Env = env.ToDictionary(p => p.Key, p => p.Value),
    };
}
