using Outpost.Backends.Containers;

namespace Outpost.Tests.Backends.Containers;

public sealed class ContainerBackendOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_WithAnImage_Succeed()
    {
        Assert.True(new ContainerBackendOptionsValidator().Validate(null, new ContainerBackendOptions { Image = "jupyter/minimal-notebook:2024-01-01" }).Succeeded);
    }

    [Fact]
    public void Validate_BadValues_EveryErrorNamesItsKey()
    {
        var options = new ContainerBackendOptions
        {
            Endpoint = "tcp://engine.example:2376",
            ApiVersion = "1.41",
            InstanceName = "a b",
            Image = "",
            AllowedImages = { "UPPER/case" },
            NetworkMode = "bridge",
            Ip = "localhost",
            MemoryLimit = "lots",
            CpuLimit = 0,
            Flavors = { ["big"] = new ContainerResources { MemoryLimit = "1X" } },
            Profiles = { ["gpu"] = new ContainerProfile { Image = "bad image" } },
            User = "root; id",
            Volumes = { new ContainerMount { Source = "home/{user}", Target = "home" } },
            AllowedBindSources = { "/srv/data" },
            BindMounts = { new ContainerMount { Source = "/etc/{user}", Target = "/x" }, new ContainerMount { Source = "/srv/data/../etc", Target = "/y" } },
            ExtraLabels = { ["org.jupyterhub.outpost.user"] = "x" },
            StopGraceSeconds = -1,
        };

        var failures = new ContainerBackendOptionsValidator().Validate(null, options).Failures!.ToList();

        string[] keys =
        [
            "Outpost:Backends:Containers:Endpoint is tcp://, which needs TlsCaFile",
            "Outpost:Backends:Containers:ApiVersion",
            "Outpost:Backends:Containers:InstanceName",
            "Outpost:Backends:Containers:Image must be",
            "Outpost:Backends:Containers:AllowedImages:0",
            "Outpost:Backends:Containers:NetworkMode must be 'host'",
            "Outpost:Backends:Containers:Ip 'localhost'",
            "Outpost:Backends:Containers:MemoryLimit 'lots'",
            "Outpost:Backends:Containers:CpuLimit",
            "Outpost:Backends:Containers:Flavors:big:MemoryLimit '1X'",
            "Outpost:Backends:Containers:Profiles:gpu:Image",
            "Outpost:Backends:Containers:User",
            "Outpost:Backends:Containers:Volumes:0:Source",
            "Outpost:Backends:Containers:Volumes:0:Target",
            "Outpost:Backends:Containers:BindMounts:0:Source '/etc/{user}' is not under any of Outpost:Backends:Containers:AllowedBindSources (/srv/data)",
            "Outpost:Backends:Containers:BindMounts:1:Source must be an absolute host path without '..'",
            "Outpost:Backends:Containers:ExtraLabels:org.jupyterhub.outpost.user",
            "Outpost:Backends:Containers:StopGraceSeconds must be between 0 and 3600 (got -1)",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
        Assert.Equal(keys.Length, failures.Count);
    }

    [Theory]
    [InlineData("unix:///run/podman/podman.sock", true)]
    [InlineData("unix://", false)]
    [InlineData("http://engine:2375", false)]
    [InlineData("/var/run/docker.sock", false)]
    public void Validate_Endpoint(string endpoint, bool valid)
    {
        var options = new ContainerBackendOptions { Endpoint = endpoint, Image = "jupyter/base" };

        Assert.Equal(valid, new ContainerBackendOptionsValidator().Validate(null, options).Succeeded);
    }
}
