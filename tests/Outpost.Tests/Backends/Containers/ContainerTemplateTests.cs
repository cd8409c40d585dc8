using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Backends.Containers;
using Outpost.Backends.Containers.Docker;
using Outpost.Backends.Containers.Docker.Models;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Containers;

public sealed class ContainerTemplateTests
{
    private static readonly ServerKey Key = new("hub1", "lab", "7");

    [Fact]
    public void Build_SpecOptionsAndFlavor_GiveThisCreateBody()
    {
        var options = new ContainerBackendOptions
        {
            Image = "registry.example/jupyter/base:1",
            Command = ["jupyterhub-singleuser"],
            Args = ["--debug"],
            Environment = { ["A"] = "admin", ["JUPYTERHUB_USER"] = "overridden by the hub" },
            User = "1000:100",
            InstanceName = "site1",
            Flavors = { ["big"] = new ContainerResources { MemoryLimit = "2G", CpuLimit = 1.5 } },
            Volumes = { new ContainerMount { Source = "home-{hub}-{user}", Target = "/home/jovyan" } },
            AllowedBindSources = { "/srv/shared" },
            BindMounts = { new ContainerMount { Source = "/srv/shared/{user}", Target = "/shared" } },
            Tmpfs = { "/tmp" },
            ExtraLabels = { ["team"] = "a" },
        };
        var spec = Spec() with { Flavor = "big" };
        var settings = ContainerSettings.Resolve(options, spec);

        var body = ContainerTemplate.Build(new BackendStartRequest(Key, spec, "jupyter-x", "/work"), settings, options, "127.0.0.1", 41000, null);

        var user = ContainerMounts.SafeName("ada");
        var hub = ContainerMounts.SafeName("hub1");
        var expected = $$"""
            {
              "Image": "registry.example/jupyter/base:1",
              "Cmd": ["--debug"],
              "Entrypoint": ["jupyterhub-singleuser"],
              "Env": [
                "A=admin",
                "JUPYTERHUB_API_TOKEN=secret",
                "JUPYTERHUB_SERVICE_PREFIX=/user/ada/lab/",
                "JUPYTERHUB_SERVICE_URL=http://127.0.0.1:41000/user/ada/lab/",
                "JUPYTERHUB_USER=ada"
              ],
              "User": "1000:100",
              "Labels": {
                "team": "a",
                "org.jupyterhub.outpost.instance": "site1",
                "org.jupyterhub.outpost.hub": "hub1",
                "org.jupyterhub.outpost.user": "ada",
                "org.jupyterhub.outpost.server": "lab",
                "org.jupyterhub.outpost.start-id": "7"
              },
              "Tty": false,
              "OpenStdin": false,
              "HostConfig": {
                "NetworkMode": "host",
                "Memory": 2147483648,
                "NanoCpus": 1500000000,
                "Binds": ["home-{{hub}}-{{user}}:/home/jovyan:rw", "/srv/shared/{{user}}:/shared:ro"],
                "Tmpfs": { "/tmp": "rw,nosuid,nodev" },
                "ReadonlyRootfs": true,
                "CapDrop": ["ALL"],
                "SecurityOpt": ["no-new-privileges"]
              }
            }
            """;
        var actual = JsonSerializer.Serialize(body, DockerJsonContext.Default.DockerContainerCreate);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), actual);
    }

    [Fact]
    public void Build_InternalSsl_MountsCertsReadOnly_ServiceUrlHttps_PathsInContainer()
    {
        var options = new ContainerBackendOptions { Image = "jupyter/base", ReadOnlyRootFilesystem = false, DropAllCapabilities = false, NoNewPrivileges = false };
        var spec = Spec() with
        {
            Env = new Dictionary<string, string>(Spec().Env) { [HubEnv.SslKeyFile] = "/on/the/hub/key" },
            Certs = new ServerCerts("k", "c", "ca", new Dictionary<string, string>()),
        };

        var body = ContainerTemplate.Build(new BackendStartRequest(Key, spec, "n", "/w"), ContainerSettings.Resolve(options, spec), options, "127.0.0.1", 5, "/w/internal-ssl");

        Assert.Equal(["/w/internal-ssl:/etc/jupyterhub/internal-ssl:ro"], body.HostConfig.Binds);
        Assert.Contains("JUPYTERHUB_SSL_KEYFILE=/etc/jupyterhub/internal-ssl/server.key", body.Env);
        Assert.Contains("JUPYTERHUB_SSL_CERTFILE=/etc/jupyterhub/internal-ssl/server.crt", body.Env);
        Assert.Contains("JUPYTERHUB_SSL_CLIENT_CA=/etc/jupyterhub/internal-ssl/notebooks-ca_trust.crt", body.Env);
        Assert.Contains("JUPYTERHUB_SERVICE_URL=https://127.0.0.1:5/user/ada/lab/", body.Env);
        Assert.False(body.HostConfig.ReadonlyRootfs);
        Assert.Null(body.HostConfig.CapDrop);
        Assert.Null(body.HostConfig.SecurityOpt);
    }

    [Fact]
    public void Labels_HostileUserName_KeptExactly_OursWinOverExtraLabels()
    {
        const string user = "x\"}; rm -rf / $(id)\n";
        var labels = ContainerLabels.For("i", new ServerKey("h", "s", "1"), user, new Dictionary<string, string> { [ContainerLabels.User] = "spoofed", ["a"] = "b" });

        Assert.Equal(user, labels[ContainerLabels.User]);
        Assert.Equal("b", labels["a"]);
    }

    [Theory]
    [InlineData("ada", "ada-")]
    [InlineData("../../etc", "etc-")]
    [InlineData("Ève/ $(id)", "veid-")]
    [InlineData("!!!", "")]
    public void SafeName_OnlyLettersDigitsAndHash(string name, string start)
    {
        var safe = ContainerMounts.SafeName(name);

        Assert.Matches("^[a-z0-9-]+$", safe);
        Assert.StartsWith(start, safe, StringComparison.Ordinal);
        Assert.NotEqual(ContainerMounts.SafeName(name + "."), safe);
    }

    private static ServerSpec Spec() => new()
    {
        Name = "lab",
        StartId = "7",
        Env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_USER"] = "ada",
            ["JUPYTERHUB_API_TOKEN"] = "secret",
            ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/ada/lab/",
        },
    };
}
