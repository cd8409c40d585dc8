using k8s;
using k8s.Models;
using Outpost.Events;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Turns the Kubernetes Events of one starting pod into progress events for the hub, each once, oldest first
/// (a repeated event such as BackOff counts again when its count grows). Progress climbs a third of the way to 90
/// with every event, as kubespawner's does. Remembers the last warning for the failure message.
/// </summary>
public sealed class PodEventWatcher(string podName, string? podUid, int startProgress = 10)
{
    private const int Ceiling = 90;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>The current progress percentage.</summary>
    public int Progress { get; private set; } = startProgress;

    /// <summary>The most recent Warning event, if any (FailedScheduling, BackOff, Failed ...).</summary>
    public Corev1Event? LastWarning { get; private set; }

    /// <summary>Progress events for the events not reported before.</summary>
    public IReadOnlyList<ProgressEvent> Next(IEnumerable<Corev1Event> events)
    {
        var fresh = new List<ProgressEvent>();
        foreach (var e in events
                     .Where(e => e.InvolvedObject?.Name == podName &&
                                 (podUid is null || e.InvolvedObject.Uid is null || e.InvolvedObject.Uid == podUid))
                     .OrderBy(When)
                     .ThenBy(e => e.Metadata?.ResourceVersion?.PadLeft(20, '0'), StringComparer.Ordinal))
        {
            var key = $"{e.Metadata?.Uid ?? e.Metadata?.Name}#{e.Count ?? 1}";
            if (!_seen.Add(key))
            {
                continue;
            }
            if (e.Type == "Warning")
            {
                LastWarning = e;
            }
            Progress = Math.Min(Ceiling, Progress + Math.Max(1, (Ceiling - Progress) / 3));
            fresh.Add(new ProgressEvent(Progress, Format(e)));
        }
        return fresh;
    }

    /// <summary>"[Warning] FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu."</summary>
    public static string Format(Corev1Event e)
    {
        var repeat = e.Count is > 1 ? $" (x{e.Count})" : "";
        return $"[{e.Type ?? "Normal"}] {e.Reason}: {e.Message?.Trim()}{repeat}";
    }

    private static DateTimeOffset When(Corev1Event e) =>
        e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp ?? DateTimeOffset.MinValue;
}
