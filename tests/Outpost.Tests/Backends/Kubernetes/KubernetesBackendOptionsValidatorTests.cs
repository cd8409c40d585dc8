using Microsoft.Extensions.Configuration;
using Outpost.Backends.Kubernetes;
using k8s;
using k8s.Models;

namespace Outpost.Tests.Backends.Kubernetes;

public sealed class KubernetesBackendOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new KubernetesBackendOptionsValidator().Validate(null, new KubernetesBackendOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NamesEveryKey()
    {
        var options = new KubernetesBackendOptions
        {
            KubeConfigPath = "/nonexistent/kubeconfig",
            Namespace = "Not_A_Namespace",
            InstanceName = "",
            RequestTimeoutSeconds = 0,
            Pod = new KubernetesPodOptions
            {
                Image = "",
                CpuGuarantee = 4,
                CpuLimit = 2,
                VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }],
                StoragePvcEnsure = true,
            },
            Profiles = new() { ["gpu"] = new KubernetesPodOptions { Port = 0, ExtraResourceLimits = new() { ["nvidia.com/gpu"] = "x" } } },
        };

        var result = new KubernetesBackendOptionsValidator().Validate(null, options);

        Assert.Equal(
        [
            "Outpost:Backends:Kubernetes:KubeConfigPath '/nonexistent/kubeconfig' does not exist.",
            "Outpost:Backends:Kubernetes:Namespace 'Not_A_Namespace' is not a valid namespace name.",
            "Outpost:Backends:Kubernetes:InstanceName '' must be a DNS label (lowercase letters, digits, '-', at most 63).",
            "Outpost:Backends:Kubernetes:RequestTimeoutSeconds must be between 1 and 600 (got 0).",
            "Outpost:Backends:Kubernetes:Pod:Image must be an image reference without spaces (got '').",
            "Outpost:Backends:Kubernetes:Pod:CpuGuarantee (4) is above Outpost:Backends:Kubernetes:Pod:CpuLimit (2).",
            "Outpost:Backends:Kubernetes:Pod:VolumeMounts mounts 'data', which is not in Outpost:Backends:Kubernetes:Pod:Volumes.",
            "Outpost:Backends:Kubernetes:Pod:StoragePvcEnsure is true but Outpost:Backends:Kubernetes:Pod:StorageCapacity is not set.",
            "Outpost:Backends:Kubernetes:Profiles:gpu:ExtraResourceLimits has 'x' for 'nvidia.com/gpu', which is not a quantity such as 1, 500m or 2Gi.",
            "Outpost:Backends:Kubernetes:Profiles:gpu:Port must be a TCP port between 1 and 65535 (got 0).",
            "Outpost:Backends:Kubernetes:Profiles:gpu:CpuGuarantee (merged with Outpost:Backends:Kubernetes:Pod) (4) is above Outpost:Backends:Kubernetes:Profiles:gpu:CpuLimit (merged with Outpost:Backends:Kubernetes:Pod) (2).",
            "Outpost:Backends:Kubernetes:Profiles:gpu:VolumeMounts (merged with Outpost:Backends:Kubernetes:Pod) mounts 'data', which is not in Outpost:Backends:Kubernetes:Profiles:gpu:Volumes (merged with Outpost:Backends:Kubernetes:Pod).",
            "Outpost:Backends:Kubernetes:Profiles:gpu:StoragePvcEnsure (merged with Outpost:Backends:Kubernetes:Pod) is true but Outpost:Backends:Kubernetes:Profiles:gpu:StorageCapacity (merged with Outpost:Backends:Kubernetes:Pod) is not set.",
        ], result.Failures!);
    }

    [Fact]
    public void Bind_FromConfiguration_FillsPodAndProfiles()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Namespace"] = "jhub",
            ["Pod:Image"] = "nb:1",
            ["Pod:CpuLimit"] = "2",
            ["Pod:NodeSelector:disktype"] = "ssd",
            ["Pod:Tolerations:0:Key"] = "gpu",
            ["Pod:Tolerations:0:Operator"] = "Exists",
            ["Profiles:gpu:ExtraResourceLimits:nvidia.com/gpu"] = "1",
        }).Build();

        var options = KubernetesOptionsFactory.Bind(config);

        Assert.Equal("nb:1", options.Pod.Image);
        Assert.Equal(2, options.Pod.CpuLimit);
        Assert.Equal("ssd", options.Pod.NodeSelector!["disktype"]);
        Assert.Equal("Exists", options.Pod.Tolerations![0].OperatorProperty);
        Assert.Equal("1", options.Profiles["gpu"].ExtraResourceLimits!["nvidia.com/gpu"]);
        Assert.True(new KubernetesBackendOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("jupyter-{hub}-{username}", null, null)]
    [InlineData("jupyter-{hub}", null, null)]
    [InlineData("jupyter-{user}", null, "Outpost:Backends:Kubernetes:NamespaceTemplate 'jupyter-{user}' uses {user}; only {hub} and {username} are known.")]
    [InlineData("Jupyter_{hub}!", null, "Outpost:Backends:Kubernetes:NamespaceTemplate 'Jupyter_{hub}!' does not give a namespace name")]
    [InlineData("jupyter-{hub}", "jhub", "Outpost:Backends:Kubernetes:NamespaceTemplate and Outpost:Backends:Kubernetes:Namespace are both set; set one of them.")]
    public void NamespaceTemplate_IsChecked(string template, string? ns, string? expected)
    {
        var result = new KubernetesBackendOptionsValidator().Validate(null, new KubernetesBackendOptions { NamespaceTemplate = template, Namespace = ns });

        if (expected is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Contains(expected, result.FailureMessage);
        }
    }
}
