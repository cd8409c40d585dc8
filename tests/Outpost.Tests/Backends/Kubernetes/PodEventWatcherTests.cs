using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using k8s;
using k8s.Models;

namespace Outpost.Tests.Backends.Kubernetes;

public sealed class PodEventWatcherTests
{
    private static Corev1Event Event(string name, string type, string reason, string message, int second, int count = 1, string pod = "p", string? uid = "u1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = name },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, Uid = uid },
        Type = type,
        Reason = reason,
        Message = message,
        Count = count,
        LastTimestamp = new DateTime(2026, 1, 1, 0, 0, second, DateTimeKind.Utc),
    };

    [Fact]
    public void Next_ReportsEachEventOnceInTimeOrderWithRisingProgress()
    {
        var watcher = new PodEventWatcher("p", "u1");
        var events = new List<Corev1Event>
        {
            Event("b", "Normal", "Pulling", "Pulling image \"x\"", 2),
            Event("a", "Normal", "Scheduled", "Successfully assigned jhub/p to node-1", 1),
            Event("other", "Normal", "Scheduled", "another pod", 1, pod: "q"),
            Event("old", "Normal", "Started", "an earlier pod of the same name", 1, uid: "u0"),
        };

        var first = watcher.Next(events);
        events.Add(Event("c", "Warning", "BackOff", "Back-off pulling image \"x\"", 3));
        var second = watcher.Next(events);
        events[^1] = Event("c", "Warning", "BackOff", "Back-off pulling image \"x\"", 9, count: 2);
        var third = watcher.Next(events);

        Assert.Equal(
            ["[Normal] Scheduled: Successfully assigned jhub/p to node-1", "[Normal] Pulling: Pulling image \"x\""],
            first.Select(e => e.Message));
        Assert.Equal([36, 54], first.Select(e => e.Progress));
        Assert.Equal(["[Warning] BackOff: Back-off pulling image \"x\""], second.Select(e => e.Message));
        Assert.Equal(["[Warning] BackOff: Back-off pulling image \"x\" (x2)"], third.Select(e => e.Message));
        Assert.Equal("BackOff", watcher.LastWarning!.Reason);
        Assert.True(watcher.Progress < 90);
    }

    private static V1Pod Pod(string phase, V1ContainerStatus? container = null, string? podIp = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "notebook", Image = "img:1" }] },
        Status = new V1PodStatus { Phase = phase, PodIP = podIp, ContainerStatuses = container is null ? null : [container] },
    };

    private static V1ContainerStatus Waiting(string reason, int restarts = 0, int? lastExit = null) => new()
    {
        Name = "notebook",
        RestartCount = restarts,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = "m" } },
        LastState = lastExit is null ? null : new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = lastExit.Value } },
    };

    private static readonly V1ContainerStatus RunningReady = new()
    {
        Name = "notebook", Ready = true, State = new V1ContainerState { Running = new V1ContainerStateRunning() },
    };

    [Fact]
    public void Check_ClassifiesStartStages()
    {
        Assert.Equal(PodReadiness.Stage.Waiting, PodReadiness.Check(Pod("Pending")).Stage);
        Assert.Equal(PodReadiness.Stage.Waiting, PodReadiness.Check(Pod("Pending", Waiting("ContainerCreating"))).Stage);
        Assert.Equal(PodReadiness.Stage.Waiting, PodReadiness.Check(Pod("Pending", Waiting("ErrImagePull"))).Stage);
        Assert.Equal(PodReadiness.Stage.Waiting, PodReadiness.Check(Pod("Running", RunningReady)).Stage); // no IP yet
        Assert.Equal(PodReadiness.Stage.Ready, PodReadiness.Check(Pod("Running", RunningReady, "10.0.0.1")).Stage);
        Assert.Equal((PodReadiness.Stage.Failed, "The image 'img:1' of container 'notebook' could not be pulled (ImagePullBackOff): m. Check the image name and pull secrets."),
            PodReadiness.Check(Pod("Pending", Waiting("ImagePullBackOff"))));
        Assert.Equal((PodReadiness.Stage.Failed, "Container 'notebook' could not be started (CreateContainerConfigError): m."),
            PodReadiness.Check(Pod("Pending", Waiting("CreateContainerConfigError"))));
        Assert.Equal((PodReadiness.Stage.Failed, "The server exited before it was ready (Failed, exit code 1)."),
            PodReadiness.Check(Pod("Failed")));
    }

    [Fact]
    public void Poll_MapsPhaseAndContainerStateToStatus()
    {
        Assert.Equal(BackendStatus.Running, PodReadiness.Poll(Pod("Running", RunningReady, "10.0.0.1")));
        Assert.Equal(BackendStatus.Running, PodReadiness.Poll(Pod("Pending")));
        Assert.Equal(BackendStatus.Exited(0, "The server's pod has completed."), PodReadiness.Poll(Pod("Succeeded")));
        Assert.Equal(BackendStatus.Exited(1, "The server's pod failed (Failed)."), PodReadiness.Poll(Pod("Failed")));
        Assert.Equal(BackendStatus.Exited(137, "The server keeps crashing (restarted 4 times)."),
            PodReadiness.Poll(Pod("Running", Waiting("CrashLoopBackOff", 4, 137))));
    }
}
