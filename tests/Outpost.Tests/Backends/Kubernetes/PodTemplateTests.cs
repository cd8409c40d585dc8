using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Kubernetes;

public sealed class PodTemplateTests
{
    private static string Json<T>(T value) => JsonSerializer.Serialize(value, KubeJson.Options);

    private static ServerObjects Build(KubernetesBackendOptions options, Outpost.Backends.BackendStartRequest request) =>
        PodTemplate.Build(request, PodSettingsResolver.Resolve(options, request.Spec), "jhub", "outpost-1");

    private static KubernetesBackendOptions FullOptions() => new()
    {
        Pod = new KubernetesPodOptions
        {
            Image = "registry.example/notebook:2",
            ImagePullPolicy = "IfNotPresent",
            ImagePullSecrets = ["regcred"],
            Args = ["--debug"],
            Environment = new() { ["TZ"] = "UTC", ["JUPYTERHUB_USER"] = "overridden-by-hub" },
            CpuGuarantee = 0.5,
            CpuLimit = 2,
            MemGuarantee = "1G",
            MemLimit = "2G",
            NodeSelector = new() { ["disktype"] = "ssd" },
            Uid = 1000,
            Gid = 100,
            FsGid = 100,
            ServiceAccount = "notebooks",
            ExtraAnnotations = new() { ["team"] = "data" },
            Volumes = [new V1Volume { Name = "home", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "{pvc_name}" } }],
            VolumeMounts = [new V1VolumeMount { Name = "home", MountPath = "/home/{username}" }],
            StoragePvcEnsure = true,
            StorageCapacity = "10Gi",
            StorageClass = "fast",
            LifecycleHooks = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sh", "-c", "echo hi"] } } },
            InitContainers = [new V1Container { Name = "fix-perms", Image = "busybox:1", Command = ["chown", "1000", "/home"] }],
            PriorityClassName = "notebooks",
        },
        Profiles = new()
        {
            ["gpu"] = new KubernetesPodOptions
            {
                ExtraResourceLimits = new() { ["nvidia.com/gpu"] = "1" },
                Tolerations = [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
                NodeAffinityRequired = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "gpu", OperatorProperty = "In", Values = ["a100"] }] }],
                NodeSelector = new() { ["pool"] = "gpu" },
                ExtraContainers = [new V1Container { Name = "metrics", Image = "exporter:1" }],
            },
        },
    };

    [Fact]
    public void Build_NoSettings_GivesTheDefaultPodAndNothingElse()
    {
        var objects = Build(new KubernetesBackendOptions(), Requests.Make());

        AssertJson(MinimalPod, objects.Pod);
        Assert.Null(objects.Service);
        Assert.Null(objects.Secret);
        Assert.Null(objects.Claim);
        Assert.Equal(8888, objects.Port);
        Assert.Equal(TimeSpan.FromSeconds(300), objects.StartTimeout);
    }

    [Fact]
    public void Build_ConfigThenProfileThenMisc_GivesPodServiceSecretAndClaim()
    {
        var objects = Build(FullOptions(), Requests.Make(server: "GPU Lab", profile: "gpu", misc: """
            {"mem_limit": "4G", "extra_labels": {"hub.jupyter.org/username": "alice"}, "services_enabled": true,
             "pod_name_template": "jupyter-{username}--{servername}", "port": 8443}
            """, certs: new ServerCerts("K", "C", "CA", new Dictionary<string, string>())));

        AssertJson(FullPod, objects.Pod);
        AssertJson(FullService, objects.Service);
        AssertJson(FullSecret, objects.Secret);
        AssertJson(FullClaim, objects.Claim);
        Assert.Equal("jupyter-alice--gpu-lab-534a0ead-hub-a.jhub.svc.cluster.local", objects.ServiceHost);
    }

    [Theory]
    [InlineData("""{"image": "other:3"}""", "spec.containers.0.image", "\"other:3\"")]
    [InlineData("""{"cmd": "start-notebook.sh"}""", "spec.containers.0.command", "[\"start-notebook.sh\"]")]
    [InlineData("""{"args": ["--a", "--b"]}""", "spec.containers.0.args", "[\"--a\",\"--b\"]")]
    [InlineData("""{"cpu_limit": 1.5, "cpu_guarantee": 0.25}""", "spec.containers.0.resources", "{\"requests\":{\"cpu\":\"250m\"},\"limits\":{\"cpu\":\"1500m\"}}")]
    [InlineData("""{"mem_limit": 536870912}""", "spec.containers.0.resources.limits.memory", "\"536870912\"")]
    [InlineData("""{"mem_limit": "512Mi"}""", "spec.containers.0.resources.limits.memory", "\"536870912\"")]
    [InlineData("""{"extra_resource_limits": {"nvidia.com/gpu": 2}}""", "spec.containers.0.resources.limits", "{\"nvidia.com/gpu\":\"2\"}")]
    [InlineData("""{"node_selector": {"zone": "a"}}""", "spec.nodeSelector", "{\"zone\":\"a\"}")]
    [InlineData("""{"tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute", "tolerationSeconds": 30}]}""",
        "spec.tolerations", "[{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\",\"effect\":\"NoExecute\",\"tolerationSeconds\":30}]")]
    [InlineData("""{"pod_anti_affinity_preferred": [{"weight": 50, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"a": "b"}}}}]}""",
        "spec.affinity", "{\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":50,\"podAffinityTerm\":{\"labelSelector\":{\"matchLabels\":{\"a\":\"b\"}},\"topologyKey\":\"kubernetes.io/hostname\"}}]}}")]
    [InlineData("""{"uid": 1001, "gid": 1002, "fs_gid": 1003, "privileged": true}""", "spec.containers.0.securityContext",
        "{\"runAsUser\":1001,\"runAsGroup\":1002,\"privileged\":true,\"allowPrivilegeEscalation\":false}")]
    [InlineData("""{"fs_gid": 1003, "supplemental_gids": [5]}""", "spec.securityContext", "{\"fsGroup\":1003,\"supplementalGroups\":[5]}")]
    [InlineData("""{"service_account": "sa", "automount_service_account_token": false}""", "spec.automountServiceAccountToken", "false")]
    [InlineData("""{"image_pull_secrets": [{"name": "a"}, "b"]}""", "spec.imagePullSecrets", "[{\"name\":\"a\"},{\"name\":\"b\"}]")]
    [InlineData("""{"image_pull_policy": "Always"}""", "spec.containers.0.imagePullPolicy", "\"Always\"")]
    [InlineData("""{"priority_class_name": "high", "scheduler_name": "bin-packer"}""", "spec.priorityClassName", "\"high\"")]
    [InlineData("""{"delete_grace_period": 30}""", "spec.terminationGracePeriodSeconds", "30")]
    [InlineData("""{"extra_annotations": {"a/b": "c"}}""", "metadata.annotations.a/b", "\"c\"")]
    [InlineData("""{"environment": {"N": 3}}""", "spec.containers.0.env.4", "{\"name\":\"N\",\"value\":\"3\"}")]
    [InlineData("""{"working_dir": "/work"}""", "spec.containers.0.workingDir", "\"/work\"")]
    [InlineData("""{"lifecycle_hooks": {"preStop": {"exec": {"command": ["stop"]}}}}""", "spec.containers.0.lifecycle", "{\"preStop\":{\"exec\":{\"command\":[\"stop\"]}}}")]
    [InlineData("""{"init_containers": [{"name": "init", "image": "busybox"}]}""", "spec.initContainers", "[{\"name\":\"init\",\"image\":\"busybox\"}]")]
    [InlineData("""{"ip": "127.0.0.1", "port": 9000}""", "spec.containers.0.env.1", "{\"name\":\"JUPYTERHUB_SERVICE_URL\",\"value\":\"http://127.0.0.1:9000/user/alice/\"}")]
    [InlineData("""{"pod_name_template": "nb-{hubname}-{userid}"}""", "metadata.name", "\"nb-hub-a-7\"")]
    [InlineData("""{"image": null}""", "spec.containers.0.image", "\"quay.io/jupyterhub/k8s-singleuser-sample:4.0.0\"")]
    public void Build_MiscOverride_SetsThePodField(string misc, string path, string expected)
    {
        var pod = JsonSerializer.SerializeToNode(Build(new KubernetesBackendOptions(), Requests.Make(misc: misc)).Pod, KubeJson.Options);

        // Compared as JSON, not as text: the client library writes an object's fields in its own order.
        var got = At(pod, path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), got), $"expected {expected}, got {got?.ToJsonString()}");
    }

    [Fact]
    public void Build_ProfileLists_ReplaceAndMapsMerge()
    {
        var options = new KubernetesBackendOptions
        {
            Pod = new KubernetesPodOptions { Args = ["--base"], NodeSelector = new() { ["a"] = "1", ["b"] = "2" } },
            Profiles = new() { ["p"] = new KubernetesPodOptions { Args = ["--profile"], NodeSelector = new() { ["b"] = "3" } } },
        };

        var pod = Build(options, Requests.Make(profile: "p", misc: """{"node_selector": {"c": "4"}}""")).Pod;

        Assert.Equal(["--profile"], pod.Spec!.Containers![0].Args!);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "3", ["c"] = "4" }, pod.Spec.NodeSelector);
    }

    [Fact]
    public void Build_SameUserOnTwoHubs_NeverCollides()
    {
        const string misc = """{"pod_name_template": "jupyter-{username}--{servername}", "storage_pvc_ensure": true, "storage_capacity": "1Gi"}""";

        var a = Build(new KubernetesBackendOptions(), Requests.Make(hub: "one", misc: misc));
        var b = Build(new KubernetesBackendOptions(), Requests.Make(hub: "two", misc: misc));

        Assert.Equal("jupyter-alice-one", a.Pod.Metadata!.Name);
        Assert.Equal("jupyter-alice-two", b.Pod.Metadata!.Name);
        Assert.Equal("claim-one-alice", a.Claim!.Metadata!.Name);
        Assert.Equal("claim-two-alice", b.Claim!.Metadata!.Name);
        Assert.Equal("one", a.Pod.Metadata.Labels![PodTemplate.HubLabel]);
    }

    [Theory]
    [InlineData("alice", "jupyter-alice-hub-a")]
    [InlineData("Alice.Smith@example.org", "jupyter-alice-smith-example-org-323a0b32-hub-a")]
    [InlineData("alice_smith", "jupyter-alice-smith-a073a3b2-hub-a")]
    [InlineData("alice-smith", "jupyter-alice-smith-hub-a")]
    [InlineData("3po", "jupyter-3po-hub-a")]
    public void Build_UserNames_BecomeValidDistinctDnsLabels(string user, string expected)
    {
        var pod = Build(new KubernetesBackendOptions(), Requests.Make(user: user, misc: """{"pod_name_template": "jupyter-{username}--{servername}"}""")).Pod;

        Assert.Equal(expected, pod.Metadata!.Name);
        Assert.True(KubeNames.IsDnsLabel(pod.Metadata.Name!));
        Assert.True(KubeNames.IsLabelValue(pod.Metadata.Labels![PodTemplate.UserLabel]));
    }

    [Fact]
    public void Build_VeryLongNames_AreCutTo63WithAHash()
    {
        var pod = Build(new KubernetesBackendOptions(), Requests.Make(user: new string('u', 80), server: new string('s', 80),
            misc: """{"pod_name_template": "jupyter-{unescaped_username}--{unescaped_servername}"}""")).Pod;

        Assert.Equal(63, pod.Metadata!.Name!.Length);
        Assert.True(KubeNames.IsDnsLabel(pod.Metadata.Name));
    }

    [Fact]
    public void Build_WithoutCerts_DropsHubSslPaths()
    {
        var env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "alice", ["JUPYTERHUB_SSL_KEYFILE"] = "/hub/path.key" };

        var pod = Build(new KubernetesBackendOptions(), Requests.Make(env: env)).Pod;

        Assert.DoesNotContain(pod.Spec!.Containers![0].Env!, e => e.Name == "JUPYTERHUB_SSL_KEYFILE");
    }

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        }
        return node;
    }

    private static void AssertJson<T>(string expected, T actual)
    {
        var want = JsonNode.Parse(expected)!;
        var got = JsonSerializer.SerializeToNode(actual, KubeJson.Options)!;
        Assert.True(JsonNode.DeepEquals(want, got), $"expected:\n{want}\nactual:\n{got}");
    }

    private const string MinimalPod = """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "hub-a-alice--1",
            "namespace": "jhub",
            "labels": {
              "app.kubernetes.io/component": "singleuser-server",
              "app.kubernetes.io/managed-by": "outpost",
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/instance": "outpost-1",
              "outpost.jupyter.org/server": "",
              "outpost.jupyter.org/user": "alice",
              "outpost.jupyter.org/pod": "hub-a-alice--1"
            },
            "annotations": {
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/servername": "",
              "outpost.jupyter.org/start-id": "1",
              "outpost.jupyter.org/username": "alice"
            }
          },
          "spec": {
            "containers": [
              {
                "name": "notebook",
                "image": "quay.io/jupyterhub/k8s-singleuser-sample:4.0.0",
                "command": [
                  "jupyterhub-singleuser"
                ],
                "env": [
                  {
                    "name": "JUPYTERHUB_API_TOKEN",
                    "value": "token-123"
                  },
                  {
                    "name": "JUPYTERHUB_SERVICE_URL",
                    "value": "http://0.0.0.0:8888/user/alice/"
                  },
                  {
                    "name": "JUPYTERHUB_USER",
                    "value": "alice"
                  },
                  {
                    "name": "JUPYTERHUB_USER_ID",
                    "value": "7"
                  }
                ],
                "ports": [
                  {
                    "name": "notebook-port",
                    "containerPort": 8888,
                    "protocol": "TCP"
                  }
                ],
                "securityContext": {
                  "allowPrivilegeEscalation": false
                }
              }
            ],
            "restartPolicy": "OnFailure",
            "automountServiceAccountToken": false,
            "terminationGracePeriodSeconds": 1,
            "enableServiceLinks": false
          }
        }
        """;

    private const string FullPod = """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "jupyter-alice--gpu-lab-534a0ead-hub-a",
            "namespace": "jhub",
            "labels": {
              "app.kubernetes.io/component": "singleuser-server",
              "app.kubernetes.io/managed-by": "outpost",
              "hub.jupyter.org/username": "alice",
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/instance": "outpost-1",
              "outpost.jupyter.org/server": "GPU-Lab-534a0ead",
              "outpost.jupyter.org/user": "alice",
              "outpost.jupyter.org/pod": "jupyter-alice--gpu-lab-534a0ead-hub-a"
            },
            "annotations": {
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/servername": "GPU Lab",
              "outpost.jupyter.org/start-id": "1",
              "outpost.jupyter.org/username": "alice",
              "team": "data"
            }
          },
          "spec": {
            "containers": [
              {
                "name": "notebook",
                "image": "registry.example/notebook:2",
                "imagePullPolicy": "IfNotPresent",
                "command": [
                  "jupyterhub-singleuser"
                ],
                "args": [
                  "--debug"
                ],
                "env": [
                  {
                    "name": "JUPYTERHUB_API_TOKEN",
                    "value": "token-123"
                  },
                  {
                    "name": "JUPYTERHUB_SERVICE_URL",
                    "value": "https://0.0.0.0:8443/user/alice/GPU%20Lab"
                  },
                  {
                    "name": "JUPYTERHUB_SSL_CERTFILE",
                    "value": "/etc/jupyterhub/ssl/ssl.crt"
                  },
                  {
                    "name": "JUPYTERHUB_SSL_CLIENT_CA",
                    "value": "/etc/jupyterhub/ssl/notebooks-ca_trust.crt"
                  },
                  {
                    "name": "JUPYTERHUB_SSL_KEYFILE",
                    "value": "/etc/jupyterhub/ssl/ssl.key"
                  },
                  {
                    "name": "JUPYTERHUB_USER",
                    "value": "alice"
                  },
                  {
                    "name": "JUPYTERHUB_USER_ID",
                    "value": "7"
                  },
                  {
                    "name": "TZ",
                    "value": "UTC"
                  }
                ],
                "ports": [
                  {
                    "name": "notebook-port",
                    "containerPort": 8443,
                    "protocol": "TCP"
                  }
                ],
                "resources": {
                  "requests": {
                    "cpu": "500m",
                    "memory": "1073741824"
                  },
                  "limits": {
                    "cpu": "2",
                    "memory": "4294967296",
                    "nvidia.com/gpu": "1"
                  }
                },
                "volumeMounts": [
                  {
                    "name": "home",
                    "mountPath": "/home/alice"
                  },
                  {
                    "name": "outpost-certs",
                    "mountPath": "/etc/jupyterhub/ssl",
                    "readOnly": true
                  }
                ],
                "securityContext": {
                  "runAsUser": 1000,
                  "runAsGroup": 100,
                  "allowPrivilegeEscalation": false
                },
                "lifecycle": {
                  "postStart": {
                    "exec": {
                      "command": [
                        "sh",
                        "-c",
                        "echo hi"
                      ]
                    }
                  }
                }
              },
              {
                "name": "metrics",
                "image": "exporter:1"
              }
            ],
            "initContainers": [
              {
                "name": "fix-perms",
                "image": "busybox:1",
                "command": [
                  "chown",
                  "1000",
                  "/home"
                ]
              }
            ],
            "volumes": [
              {
                "name": "home",
                "persistentVolumeClaim": {
                  "claimName": "claim-hub-a-alice--gpu-lab-534a0ead"
                }
              },
              {
                "name": "outpost-certs",
                "secret": {
                  "secretName": "jupyter-alice--gpu-lab-534a0ead-hub-a",
                  "defaultMode": 256
                }
              }
            ],
            "restartPolicy": "OnFailure",
            "nodeSelector": {
              "disktype": "ssd",
              "pool": "gpu"
            },
            "tolerations": [
              {
                "key": "nvidia.com/gpu",
                "operator": "Exists",
                "effect": "NoSchedule"
              }
            ],
            "affinity": {
              "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                  "nodeSelectorTerms": [
                    {
                      "matchExpressions": [
                        {
                          "key": "gpu",
                          "operator": "In",
                          "values": [
                            "a100"
                          ]
                        }
                      ]
                    }
                  ]
                }
              }
            },
            "serviceAccountName": "notebooks",
            "automountServiceAccountToken": true,
            "securityContext": {
              "fsGroup": 100
            },
            "imagePullSecrets": [
              {
                "name": "regcred"
              }
            ],
            "priorityClassName": "notebooks",
            "terminationGracePeriodSeconds": 1,
            "enableServiceLinks": false
          }
        }
        """;

    private const string FullService = """
        {
          "apiVersion": "v1",
          "kind": "Service",
          "metadata": {
            "name": "jupyter-alice--gpu-lab-534a0ead-hub-a",
            "namespace": "jhub",
            "labels": {
              "app.kubernetes.io/component": "singleuser-server",
              "app.kubernetes.io/managed-by": "outpost",
              "hub.jupyter.org/username": "alice",
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/instance": "outpost-1",
              "outpost.jupyter.org/server": "GPU-Lab-534a0ead",
              "outpost.jupyter.org/user": "alice"
            }
          },
          "spec": {
            "type": "ClusterIP",
            "selector": {
              "outpost.jupyter.org/pod": "jupyter-alice--gpu-lab-534a0ead-hub-a"
            },
            "ports": [
              {
                "name": "notebook-port",
                "protocol": "TCP",
                "port": 8443,
                "targetPort": 8443
              }
            ]
          }
        }
        """;

    private const string FullSecret = """
        {
          "apiVersion": "v1",
          "kind": "Secret",
          "metadata": {
            "name": "jupyter-alice--gpu-lab-534a0ead-hub-a",
            "namespace": "jhub",
            "labels": {
              "app.kubernetes.io/component": "singleuser-server",
              "app.kubernetes.io/managed-by": "outpost",
              "hub.jupyter.org/username": "alice",
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/instance": "outpost-1",
              "outpost.jupyter.org/server": "GPU-Lab-534a0ead",
              "outpost.jupyter.org/user": "alice"
            }
          },
          "type": "Opaque",
          "data": {
            "notebooks-ca_trust.crt": "Q0E=",
            "ssl.crt": "Qw==",
            "ssl.key": "Sw=="
          }
        }
        """;

    private const string FullClaim = """
        {
          "apiVersion": "v1",
          "kind": "PersistentVolumeClaim",
          "metadata": {
            "name": "claim-hub-a-alice--gpu-lab-534a0ead",
            "namespace": "jhub",
            "labels": {
              "app.kubernetes.io/component": "singleuser-server",
              "app.kubernetes.io/managed-by": "outpost",
              "hub.jupyter.org/username": "alice",
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/instance": "outpost-1",
              "outpost.jupyter.org/server": "GPU-Lab-534a0ead",
              "outpost.jupyter.org/user": "alice"
            },
            "annotations": {
              "outpost.jupyter.org/hub": "hub-a",
              "outpost.jupyter.org/username": "alice",
              "outpost.jupyter.org/servername": "GPU Lab"
            }
          },
          "spec": {
            "accessModes": [
              "ReadWriteOnce"
            ],
            "storageClassName": "fast",
            "resources": {
              "requests": {
                "storage": "10Gi"
              }
            }
          }
        }
        """;
}
