using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes;

/// <summary>Reads a pod's status: is a starting server ready, hopeless, or still on its way; and what a poll should say.</summary>
public static class PodReadiness
{
    /// <summary>Waiting reasons after which the container will not start without someone changing something.</summary>
    private static readonly HashSet<string> Hopeless = new(StringComparer.Ordinal)
    {
        "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CrashLoopBackOff",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    };

    /// <summary>Where a start stands.</summary>
    public enum Stage
    {
        Waiting,
        Ready,
        Failed,
    }

    /// <summary>Ready when the pod runs, has an IP and its notebook container is ready; Failed with a message for the user.</summary>
    public static (Stage Stage, string? Message) Check(V1Pod pod)
    {
        var status = pod.Status;
        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            return (Stage.Failed, "The server's pod was deleted while it was starting.");
        }
        if (status?.Phase is "Failed" or "Succeeded")
        {
            var ended = Notebook(pod)?.State?.Terminated;
            return (Stage.Failed,
                $"The server exited before it was ready ({ended?.Reason ?? status.Reason ?? status.Phase}, exit code {ended?.ExitCode ?? 1})" +
                (string.IsNullOrWhiteSpace(ended?.Message ?? status.Message) ? "." : $": {(ended?.Message ?? status.Message)!.Trim()}"));
        }
        foreach (var container in (status?.InitContainerStatuses ?? []).Concat(status?.ContainerStatuses ?? []))
        {
            if (container.State?.Waiting is { Reason: { } reason } waiting && Hopeless.Contains(reason))
            {
                return (Stage.Failed, Explain(pod, container, reason, waiting.Message));
            }
        }
        var notebook = Notebook(pod);
        if (status?.Phase == "Running" && !string.IsNullOrEmpty(status.PodIP) && notebook?.State?.Running is not null &&
            notebook.Ready != false)
        {
            return (Stage.Ready, null);
        }
        return (Stage.Waiting, null);
    }

    /// <summary>What a poll reports: Exited once the pod ended or its server crash-loops, Running otherwise.</summary>
    public static BackendStatus Poll(V1Pod pod)
    {
        var notebook = Notebook(pod);
        switch (pod.Status?.Phase)
        {
            case "Succeeded":
                return BackendStatus.Exited(0, "The server's pod has completed.");
            case "Failed":
                var ended = notebook?.State?.Terminated;
                return BackendStatus.Exited(ended?.ExitCode is { } code and not 0 ? code : 1,
                    $"The server's pod failed ({ended?.Reason ?? pod.Status.Reason ?? "Failed"}).");
        }
        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            return BackendStatus.Exited(0, "The server's pod is being deleted.");
        }
        if (notebook?.State?.Waiting?.Reason == "CrashLoopBackOff")
        {
            var last = notebook.LastState?.Terminated?.ExitCode;
            return BackendStatus.Exited(last is { } code and not 0 ? code : 1,
                $"The server keeps crashing (restarted {notebook.RestartCount} times).");
        }
        return BackendStatus.Running;
    }

    /// <summary>The scheduler's reason when the pod is unschedulable, else null.</summary>
    public static string? Unschedulable(V1Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c is { Type: "PodScheduled", Status: "False" }) is { } condition
            ? condition.Message ?? condition.Reason ?? "Unschedulable"
            : null;

    private static V1ContainerStatus? Notebook(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == PodTemplate.ContainerName)
        ?? pod.Status?.ContainerStatuses?.FirstOrDefault();

    private static string Explain(V1Pod pod, V1ContainerStatus container, string reason, string? message)
    {
        var detail = string.IsNullOrWhiteSpace(message) ? "" : $": {message.Trim()}";
        var image = pod.Spec?.Containers?.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == container.Name)?.Image
                    ?? container.Image;
        return reason switch
        {
            "ImagePullBackOff" or "ErrImageNeverPull" =>
                $"The image '{image}' of container '{container.Name}' could not be pulled ({reason}){detail}. Check the image name and pull secrets.",
            "InvalidImageName" => $"The image name '{image}' of container '{container.Name}' is not valid{detail}.",
            "CrashLoopBackOff" =>
                $"The server keeps crashing: container '{container.Name}' restarted {container.RestartCount} times" +
                (container.LastState?.Terminated?.ExitCode is { } code ? $", last exit code {code}" : "") + $"{detail}.",
            _ => $"Container '{container.Name}' could not be started ({reason}){detail}.",
        };
    }
}
