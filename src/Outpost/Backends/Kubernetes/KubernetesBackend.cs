using Microsoft.Extensions.Options;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Runs each server as one pod (plus an optional Service, internal_ssl Secret and per-user claim) in one namespace.
/// Starts relay the pod's Events as progress; polls read the shared watch cache; stops delete what the start created
/// except the claim.
/// </summary>
public sealed partial class KubernetesBackend(
    IOptions<KubernetesBackendOptions> options,
    IKubeApi client,
    KubernetesWatches watches,
    TimeProvider time,
    ILogger<KubernetesBackend> logger) : IBackend, IOrphanSweeper
{
    /// <summary>A pod younger than this is never an orphan: its start may not have stored its handle yet.</summary>
    private static readonly TimeSpan OrphanMinimumAge = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(10);

    public string Name => BackendNames.Kubernetes;

    /// <summary>The namespace servers go to: configured, else the kubeconfig's or service account's, else "default".</summary>
    public string Namespace => options.Value.Namespace ?? client.DefaultNamespace ?? "default";

    /// <summary>The namespace of one server: <see cref="Namespace"/>, or the template's for its hub and user.</summary>
    public string NamespaceOf(BackendStartRequest request) =>
        options.Value.NamespaceTemplate is { } template
            ? NamespaceNames.Render(template, request.Key.Hub, request.Spec.Env.GetValueOrDefault(HubEnv.User) ?? "")
            : Namespace;

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            // An unknown profile or choice is not caught here: it reaches the hub as a 422 naming the field.
            PodSettingsResolver.Resolve(options.Value, spec, key.Hub);
            return null;
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var ns = NamespaceOf(request);
        if (options.Value.NamespaceTemplate is not null)
        {
            await EnsureNamespaceAsync(ns, request.Key.Hub, cancellationToken);
        }
        KubernetesPodOptions settings;
        try
        {
            settings = PodSettingsResolver.Resolve(options.Value, request.Spec, request.Key.Hub);
        }
        catch (BackendFieldException e)
        {
            throw new BackendException(e.Message, e);
        }
        var objects = PodTemplate.Build(request, settings, ns, options.Value.InstanceName);
        var podName = objects.Pod.Metadata!.Name!;
        var handle = new KubernetesHandle(ns, podName, objects.Service?.Metadata!.Name, objects.Secret?.Metadata!.Name,
            objects.Port, objects.DeleteGracePeriodSeconds);
        await context.SaveHandleAsync(handle.ToBackendHandle(), cancellationToken);

        var pods = watches.Pods(ns);
        var events = watches.Events(ns);
        var createdAny = false;
        try
        {
            await context.ReportAsync(new ProgressEvent(5, $"Creating pod {podName} in namespace {ns}."), cancellationToken);
            if (objects.Claim is { } claim)
            {
                await EnsureClaimAsync(ns, claim, cancellationToken);
            }
            var created = await CreatePodAsync(ns, objects.Pod, request, cancellationToken);
            createdAny = true;
            handle = handle with { PodUid = created.Metadata!.Uid };
            await context.SaveHandleAsync(handle.ToBackendHandle(), cancellationToken);
            var owner = new V1OwnerReference
            {
                ApiVersion = "v1", Kind = "Pod", Name = podName, Uid = created.Metadata.Uid, BlockOwnerDeletion = false,
            };
            if (objects.Secret is { } secret)
            {
                secret.Metadata!.OwnerReferences = [owner];
                await CreateReplacingAsync(ns, secret, cancellationToken);
            }
            if (objects.Service is { } service)
            {
                service.Metadata!.OwnerReferences = [owner];
                await CreateReplacingAsync(ns, service, cancellationToken);
            }
            await context.ReportAsync(new ProgressEvent(10, $"Pod {podName} created; waiting for Kubernetes to schedule and start it."), cancellationToken);

            var running = await WaitUntilRunningAsync(ns, pods, events, created, objects.StartTimeout, context, cancellationToken);
            var address = objects.ServiceHost is { } host
                ? $"{host}:{objects.Port}"
                : $"{FormatHost(running.Status!.PodIP!)}:{objects.Port}";
            Log.Started(logger, podName, ns, address);
            return new BackendStartResult(handle.ToBackendHandle(), address);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the caller stops the saved handle
        }
        catch (BackendException e)
        {
            Log.StartFailed(logger, podName, ns, e.Message);
            await CleanUpAfterFailureAsync(handle, createdAny);
            throw;
        }
        catch (KubeApiException e)
        {
            Log.StartFailed(logger, podName, ns, e.Message);
            await CleanUpAfterFailureAsync(handle, createdAny);
            throw new BackendException($"The server could not be started on Kubernetes. {e.Message}", e);
        }
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var h = KubernetesHandle.From(handle);
        var pods = watches.Pods(h.Namespace);
        try
        {
            await pods.WaitForSyncAsync(SyncTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return BackendStatus.Unknown($"The watch of pods in namespace {h.Namespace} has not synced yet: {pods.LastError?.Message}");
        }
        if (!pods.IsCurrent)
        {
            // The watch is failing: what the cache says may be stale, and the API may be down too.
            return BackendStatus.Unknown($"The watch of pods in namespace {h.Namespace} is reconnecting: {pods.LastError?.Message}");
        }
        var pod = pods.Get(h.Pod);
        if (pod is null || (h.PodUid is not null && pod.Metadata?.Uid != h.PodUid))
        {
            // The watch may lag behind a pod created a moment ago; ask once before declaring the server gone.
            try
            {
                pod = await client.GetAsync<V1Pod>(h.Namespace, h.Pod, cancellationToken);
            }
            catch (KubeApiException e)
            {
                return BackendStatus.Unknown(e.Message);
            }
            if (pod is null || (h.PodUid is not null && pod.Metadata?.Uid != h.PodUid))
            {
                return BackendStatus.Exited(1, "The server's pod no longer exists.");
            }
        }
        return PodReadiness.Poll(pod);
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var h = KubernetesHandle.From(handle);
        try
        {
            await RemoveAsync(h, h.DeleteGracePeriodSeconds, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new BackendException($"The server could not be stopped on Kubernetes. {e.Message}", e);
        }
        await WaitUntilGoneAsync(h, TimeSpan.FromSeconds(h.DeleteGracePeriodSeconds + 10), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var h = KubernetesHandle.From(handle);
        try
        {
            var text = await client.ReadLogAsync(h.Namespace, h.Pod, PodTemplate.ContainerName, maxLines, cancellationToken);
            return text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(maxLines).ToList();
        }
        catch (KubeApiException e) when (e.IsNotFound || e.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            return []; // gone, or the container has not started yet
        }
        catch (KubeApiException e)
        {
            throw new BackendException($"The server's log could not be read. {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<string>> SweepOrphansAsync(IReadOnlyCollection<BackendHandle> owned, CancellationToken cancellationToken)
    {
        var ns = Namespace;
        var ownedPods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in owned)
        {
            try
            {
                var h = KubernetesHandle.From(handle);
                if (h.Namespace == ns)
                {
                    ownedPods.Add(h.Pod);
                }
            }
            catch (BackendException)
            {
                // a handle of another backend
            }
        }
        var pods = watches.Pods(ns);
        await pods.WaitForSyncAsync(SyncTimeout, cancellationToken);
        var now = time.GetUtcNow();
        var orphans = new List<string>();
        // Replicas share a namespace and an instance name, but only the leading one sweeps (ServerReconciler).
        var remove = options.Value.RemoveOrphans;
        foreach (var pod in pods.Items.OrderBy(p => p.Metadata?.Name, StringComparer.Ordinal))
        {
            var name = pod.Metadata?.Name;
            if (name is null || ownedPods.Contains(name) || now - (pod.Metadata!.CreationTimestamp ?? now) < OrphanMinimumAge)
            {
                continue;
            }
            orphans.Add($"pod {name} in namespace {ns}");
            Log.Orphan(logger, name, ns, remove);
            if (remove)
            {
                // Service and Secret share the pod's name (and are owned by the pod, so the cluster would collect them anyway).
                await RemoveAsync(new KubernetesHandle(ns, name, name, name, 0, 1, pod.Metadata.Uid), 1, cancellationToken);
            }
        }
        return orphans;
    }

    private async Task<V1Pod> CreatePodAsync(string ns, V1Pod pod, BackendStartRequest request, CancellationToken cancellationToken)
    {
        var name = pod.Metadata!.Name!;
        try
        {
            return await client.CreateAsync(ns, pod, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            var existing = await client.GetAsync<V1Pod>(ns, name, cancellationToken);
            var labels = new Dictionary<string, string>(existing?.Metadata?.Labels ?? new Dictionary<string, string>());
            var ours = labels.GetValueOrDefault(PodTemplate.InstanceLabel) == options.Value.InstanceName &&
                       labels.GetValueOrDefault(PodTemplate.HubLabel) == pod.Metadata.Labels![PodTemplate.HubLabel] &&
                       labels.GetValueOrDefault(PodTemplate.ServerLabel) == pod.Metadata.Labels[PodTemplate.ServerLabel] &&
                       labels.GetValueOrDefault(PodTemplate.UserLabel) == pod.Metadata.Labels[PodTemplate.UserLabel];
            if (existing is not null && !ours)
            {
                throw new BackendException(
                    $"A pod named '{name}' already exists in namespace '{ns}' and belongs to something else. Choose another pod_name_template.");
            }
            // A leftover of an earlier start of the same server: remove it and try once more.
            Log.ReplacingLeftover(logger, name, ns, request.Key.StartId);
            await client.DeleteAsync<V1Pod>(ns, name, 0, cancellationToken);
            await WaitUntilGoneAsync(new KubernetesHandle(ns, name, null, null, 0, 0), TimeSpan.FromSeconds(30), cancellationToken, directCheck: true);
            return await client.CreateAsync(ns, pod, cancellationToken);
        }
    }

    private async Task EnsureClaimAsync(string ns, V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(ns, claim, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // The user's claim from an earlier start: keep it, with its data.
        }
    }

    private async Task CreateReplacingAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            await client.CreateAsync(ns, obj, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            await client.DeleteAsync<T>(ns, obj.Metadata!.Name!, 0, cancellationToken);
            await client.CreateAsync(ns, obj, cancellationToken);
        }
    }

    private async Task<V1Pod> WaitUntilRunningAsync(
        string ns, KubeReflector<V1Pod> pods, KubeReflector<Corev1Event> events, V1Pod created, TimeSpan timeout,
        IStartContext context, CancellationToken cancellationToken)
    {
        var name = created.Metadata!.Name!;
        var uid = created.Metadata.Uid;
        var deadline = time.GetUtcNow() + timeout;
        var progress = new PodEventWatcher(name, uid);
        var current = created;
        while (true)
        {
            var changed = Task.WhenAny(pods.Changed, events.Changed);
            foreach (var progressEvent in progress.Next(events.GetByIndex(name)))
            {
                await context.ReportAsync(progressEvent, cancellationToken);
            }
            if (pods.Get(name) is { } seen && (uid is null || seen.Metadata?.Uid == uid))
            {
                current = seen;
                var (stage, message) = PodReadiness.Check(current);
                if (stage == PodReadiness.Stage.Ready)
                {
                    await context.ReportAsync(new ProgressEvent(Math.Max(progress.Progress, 90),
                        $"Pod {name} is running at {current.Status!.PodIP}."), cancellationToken);
                    return current;
                }
                if (stage == PodReadiness.Stage.Failed)
                {
                    await ReportLateEventsAsync(ns, name, progress, context, cancellationToken);
                    throw new BackendException(message!);
                }
            }
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                await ReportLateEventsAsync(ns, name, progress, context, cancellationToken);
                throw new BackendException(TimeoutMessage(current, timeout, progress.LastWarning));
            }
            try
            {
                await changed.WaitAsync(remaining, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // loop once more: report what arrived, then fail with the timeout message
            }
        }
    }

    /// <summary>
    /// The event watch is a separate stream from the pod watch and may lag behind it: before a start fails, read the
    /// pod's events once, so the warnings that explain the failure ("Failed to pull image ...") still reach the hub.
    /// Best effort: the failure itself is reported either way.
    /// </summary>
    private async Task ReportLateEventsAsync(
        string ns, string name, PodEventWatcher progress, IStartContext context, CancellationToken cancellationToken)
    {
        KubeList<Corev1Event> events;
        try
        {
            events = await client.ListAsync<Corev1Event>(ns, null,
                $"involvedObject.kind=Pod,involvedObject.name={name}", cancellationToken);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException)
        {
            return;
        }
        foreach (var progressEvent in progress.Next(events.Items))
        {
            await context.ReportAsync(progressEvent, cancellationToken);
        }
    }

    private static string TimeoutMessage(V1Pod pod, TimeSpan timeout, Corev1Event? lastWarning)
    {
        var seconds = (int)timeout.TotalSeconds;
        if (PodReadiness.Unschedulable(pod) is { } why)
        {
            return $"The server could not be scheduled within {seconds} s: {why.Trim()}";
        }
        if (lastWarning is not null)
        {
            return $"The server did not start within {seconds} s. Last warning: {lastWarning.Reason}: {lastWarning.Message?.Trim()}";
        }
        return $"The server did not start within {seconds} s (pod phase {pod.Status?.Phase ?? "unknown"}).";
    }

    private async Task CleanUpAfterFailureAsync(KubernetesHandle handle, bool createdAny)
    {
        if (!createdAny)
        {
            return; // nothing of ours exists; a pod of that name may belong to someone else
        }
        try
        {
            await RemoveAsync(handle, gracePeriodSeconds: 0, CancellationToken.None);
        }
        catch (KubeApiException e)
        {
            Log.CleanupFailed(logger, handle.Pod, handle.Namespace, e.Message);
        }
    }

    /// <summary>
    /// Deletes pod, Service and Secret; a missing object is fine. The claim stays. Without a pod uid in the handle
    /// (the start stopped before the pod existed), a pod of that name is deleted only if it carries this Outpost's labels.
    /// </summary>
    private async Task RemoveAsync(KubernetesHandle h, int gracePeriodSeconds, CancellationToken cancellationToken)
    {
        if (h.PodUid is null)
        {
            var existing = await client.GetAsync<V1Pod>(h.Namespace, h.Pod, cancellationToken);
            if (existing is not null && (existing.Metadata?.Labels?.TryGetValue(PodTemplate.InstanceLabel, out var instance) == true ? instance : null) != options.Value.InstanceName)
            {
                return;
            }
        }
        await client.DeleteAsync<V1Pod>(h.Namespace, h.Pod, gracePeriodSeconds, cancellationToken);
        if (h.Service is { } service)
        {
            await client.DeleteAsync<V1Service>(h.Namespace, service, null, cancellationToken);
        }
        if (h.Secret is { } secret)
        {
            await client.DeleteAsync<V1Secret>(h.Namespace, secret, null, cancellationToken);
        }
        Log.Removed(logger, h.Pod, h.Namespace);
    }

    private async Task WaitUntilGoneAsync(KubernetesHandle h, TimeSpan timeout, CancellationToken cancellationToken, bool directCheck = false)
    {
        var pods = watches.Pods(h.Namespace);
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            var changed = pods.Changed;
            var present = directCheck
                ? await client.GetAsync<V1Pod>(h.Namespace, h.Pod, cancellationToken)
                : pods.IsSynced ? pods.Get(h.Pod) : null;
            if (present is null || (h.PodUid is not null && present.Metadata?.Uid != h.PodUid))
            {
                return;
            }
            try
            {
                await changed.WaitAsync(directCheck ? TimeSpan.FromMilliseconds(500) : deadline - time.GetUtcNow(), time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
        Log.StillTerminating(logger, h.Pod, h.Namespace, (int)timeout.TotalSeconds);
    }

    private static string FormatHost(string ip) => ip.Contains(':') ? $"[{ip}]" : ip;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.KubePodStarted, Level = LogLevel.Information, Message = "Pod {Pod} in namespace {Namespace} is running at {Address}")]
        public static partial void Started(ILogger logger, string pod, string @namespace, string address);

        [LoggerMessage(EventId = LogEvents.KubePodStartFailed, Level = LogLevel.Warning, Message = "Start of pod {Pod} in namespace {Namespace} failed: {Reason}")]
        public static partial void StartFailed(ILogger logger, string pod, string @namespace, string reason);

        [LoggerMessage(EventId = LogEvents.KubePodRemoved, Level = LogLevel.Information, Message = "Removed pod {Pod} and its Service and Secret in namespace {Namespace}")]
        public static partial void Removed(ILogger logger, string pod, string @namespace);

        [LoggerMessage(EventId = LogEvents.KubePodStillTerminating, Level = LogLevel.Warning, Message = "Pod {Pod} in namespace {Namespace} is still terminating after {Seconds} s")]
        public static partial void StillTerminating(ILogger logger, string pod, string @namespace, int seconds);

        [LoggerMessage(EventId = LogEvents.KubeLeftoverPodReplaced, Level = LogLevel.Information, Message = "Replacing leftover pod {Pod} in namespace {Namespace} for start {StartId}")]
        public static partial void ReplacingLeftover(ILogger logger, string pod, string @namespace, string startId);

        [LoggerMessage(EventId = LogEvents.KubeCleanupFailed, Level = LogLevel.Warning, Message = "Could not clean up pod {Pod} in namespace {Namespace} after a failed start: {Reason}")]
        public static partial void CleanupFailed(ILogger logger, string pod, string @namespace, string reason);

        [LoggerMessage(EventId = LogEvents.KubeOrphanPod, Level = LogLevel.Warning, Message = "Pod {Pod} in namespace {Namespace} belongs to no stored server (removing: {Removing})")]
        public static partial void Orphan(ILogger logger, string pod, string @namespace, bool removing);
    }
}
