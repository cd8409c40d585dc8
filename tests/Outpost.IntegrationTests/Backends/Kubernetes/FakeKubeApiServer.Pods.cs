using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>Test hooks that play the kubelet and the scheduler: pod transitions, Events and container logs.</summary>
public sealed partial class FakeKubeApiServer
{
    private readonly Dictionary<string, List<string>> _logs = new(StringComparer.Ordinal);
    private int _nextPodIp = 10;

    /// <summary>Called after a pod was created through the API (namespace, name). Tests script the pod's life here.</summary>
    public Action<string, string>? PodCreated { get; set; }

    /// <summary>
    /// Makes every created pod start normally: Scheduled, Pulling, Pulled, Created and Started events, then phase
    /// Running with a pod IP and a ready container. Running comes once every open watch of events has written the
    /// events: pods and events reach the client on two streams, and on a busy machine Running could overtake them,
    /// which tests that expect the events before the start returns would read as lost events.
    /// </summary>
    public void StartPodsAutomatically() => PodCreated = (ns, name) =>
    {
        RunPodUntilStarted(ns, name);
        _ = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!WatchesWritten("events") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
            SetPodRunning(ns, name);
        });
    };

    /// <summary>The normal start of a pod, as the scheduler and kubelet would report it.</summary>
    public void RunPodThroughStartup(string ns, string name, string node = "node-1")
    {
        RunPodUntilStarted(ns, name, node);
        SetPodRunning(ns, name);
    }

    private void RunPodUntilStarted(string ns, string name, string node = "node-1")
    {
        var image = Get("pods", ns, name)?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>() ?? "image";
        SchedulePod(ns, name, node);
        AddPodEvent(ns, name, "Normal", "Scheduled", $"Successfully assigned {ns}/{name} to {node}");
        AddPodEvent(ns, name, "Normal", "Pulling", $"Pulling image \"{image}\"");
        AddPodEvent(ns, name, "Normal", "Pulled", $"Successfully pulled image \"{image}\" in 1.2s");
        AddPodEvent(ns, name, "Normal", "Created", "Created container notebook");
        AddPodEvent(ns, name, "Normal", "Started", "Started container notebook");
    }

    /// <summary>Binds the pod to a node: PodScheduled=True.</summary>
    public void SchedulePod(string ns, string name, string node = "node-1") => Update("pods", ns, name, pod =>
    {
        pod["spec"]!["nodeName"] = node;
        Status(pod)["conditions"] = new JsonArray(Condition("PodScheduled", "True"));
    });

    /// <summary>PodScheduled=False/Unschedulable with the scheduler's message, plus the FailedScheduling event.</summary>
    public void MarkUnschedulable(string ns, string name, string message)
    {
        Update("pods", ns, name, pod =>
            Status(pod)["conditions"] = new JsonArray(Condition("PodScheduled", "False", "Unschedulable", message)));
        AddPodEvent(ns, name, "Warning", "FailedScheduling", message);
    }

    /// <summary>Phase Running, a pod IP, and every container running and ready; returns the pod's new resourceVersion.</summary>
    public long SetPodRunning(string ns, string name, string? podIp = null)
    {
        podIp ??= $"10.244.0.{Interlocked.Increment(ref _nextPodIp)}";
        return Update("pods", ns, name, pod =>
        {
            var status = Status(pod);
            status["phase"] = "Running";
            status["podIP"] = podIp;
            status["hostIP"] = "192.0.2.10";
            status["startTime"] = Now();
            status["conditions"] = new JsonArray(
                Condition("PodScheduled", "True"), Condition("Initialized", "True"),
                Condition("ContainersReady", "True"), Condition("Ready", "True"));
            status["containerStatuses"] = ContainerStatuses(pod, c => new JsonObject
            {
                ["name"] = c,
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } },
            });
        });
    }

    /// <summary>The first container waits with a reason such as ImagePullBackOff or CrashLoopBackOff.</summary>
    public void SetContainerWaiting(string ns, string name, string reason, string message, int restartCount = 0, int? lastExitCode = null) =>
        Update("pods", ns, name, pod =>
        {
            var status = Status(pod);
            status["containerStatuses"] = ContainerStatuses(pod, c =>
            {
                var s = new JsonObject
                {
                    ["name"] = c,
                    ["ready"] = false,
                    ["started"] = false,
                    ["restartCount"] = restartCount,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } },
                };
                if (lastExitCode is { } code)
                {
                    s["lastState"] = new JsonObject
                    {
                        ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = "Error", ["finishedAt"] = Now() },
                    };
                }
                return s;
            });
        });

    /// <summary>The containers ended: phase Succeeded for exit code 0, Failed otherwise.</summary>
    public void TerminatePod(string ns, string name, int exitCode, string reason = "Error") => Update("pods", ns, name, pod =>
    {
        var status = Status(pod);
        status["phase"] = exitCode == 0 ? "Succeeded" : "Failed";
        status["containerStatuses"] = ContainerStatuses(pod, c => new JsonObject
        {
            ["name"] = c,
            ["ready"] = false,
            ["restartCount"] = 0,
            ["state"] = new JsonObject
            {
                ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = exitCode == 0 ? "Completed" : reason, ["finishedAt"] = Now() },
            },
        });
    });

    /// <summary>Records an Event about a pod, as the kubelet or scheduler would; returns the Event's resourceVersion.</summary>
    public long AddPodEvent(string ns, string podName, string type, string reason, string message)
    {
        var uid = Get("pods", ns, podName)?["metadata"]?["uid"]?.GetValue<string>();
        var created = Create("events", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"{podName}.{Guid.NewGuid().ToString("N")[..16]}" },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = "Pod", ["namespace"] = ns, ["name"] = podName, ["uid"] = uid, ["apiVersion"] = "v1",
            },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["count"] = 1,
            ["firstTimestamp"] = Now(),
            ["lastTimestamp"] = Now(),
            ["source"] = new JsonObject { ["component"] = reason == "Scheduled" || reason == "FailedScheduling" ? "default-scheduler" : "kubelet" },
        });
        return long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    /// <summary>Lines a pod's container has "written", served by <c>GET .../pods/{name}/log</c>.</summary>
    public void SetLogs(string ns, string podName, params string[] lines)
    {
        lock (_gate)
        {
            _logs[Key("pods", ns, podName)] = [.. lines];
        }
    }

    private async Task WriteLogAsync(HttpContext context, string ns, string name, int tailLines)
    {
        List<string>? lines;
        lock (_gate)
        {
            if (!_objects.ContainsKey(Key("pods", ns, name)))
            {
                lines = null;
            }
            else
            {
                lines = _logs.TryGetValue(Key("pods", ns, name), out var l) ? [.. l.TakeLast(tailLines)] : [];
            }
        }
        if (lines is null)
        {
            await WriteResultAsync(context, NotFound("pods", name));
            return;
        }
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(string.Concat(lines.Select(l => l + "\n")));
    }

    private static JsonObject Status(JsonObject pod) => pod["status"] as JsonObject ?? (JsonObject)(pod["status"] = new JsonObject());

    private static JsonArray ContainerStatuses(JsonObject pod, Func<string, JsonObject> make)
    {
        var names = (pod["spec"]?["containers"] as JsonArray ?? [])
            .Select(c => c?["name"]?.GetValue<string>() ?? "container");
        return new JsonArray(names.Select(n => (JsonNode)make(n)).ToArray());
    }

    private static JsonObject Condition(string type, string status, string? reason = null, string? message = null)
    {
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastTransitionTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }
        if (message is not null)
        {
            condition["message"] = message;
        }
        return condition;
    }
}
