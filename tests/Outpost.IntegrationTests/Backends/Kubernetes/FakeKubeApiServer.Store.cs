using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The object store: one resourceVersion counter, a change history for watches, and the watchers.</summary>
public sealed partial class FakeKubeApiServer
{
    /// <summary>Plural → (kind, apiVersion) of the resources this fake serves.</summary>
    private static readonly Dictionary<string, (string Kind, string ApiVersion)> KnownResources = new()
    {
        ["pods"] = ("Pod", "v1"),
        ["services"] = ("Service", "v1"),
        ["persistentvolumeclaims"] = ("PersistentVolumeClaim", "v1"),
        ["secrets"] = ("Secret", "v1"),
        ["events"] = ("Event", "v1"),
        ["leases"] = ("Lease", "coordination.k8s.io/v1"),
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<FakeChange> _history = [];
    private readonly List<FakeWatcher> _watchers = [];
    private TaskCompletionSource _watchOutput = Released();
    private long _resourceVersion = 1000;
    private long _compactedBefore;

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Number of watch streams currently open.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>A copy of the stored object, or null.</summary>
    public JsonObject? Get(string plural, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(plural, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>Names of the stored objects of a kind in a namespace.</summary>
    public IReadOnlyList<string> Names(string plural, string ns)
    {
        lock (_gate)
        {
            return _objects.Values.Where(o => Plural(o) == plural && Namespace(o) == ns)
                .Select(o => o["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Stores an object as if it had been created through the API (no request is recorded).</summary>
    public JsonObject Create(string plural, string ns, JsonObject obj)
    {
        var (code, body) = CreateCore(plural, ns, obj);
        return code == 201 ? body : throw new InvalidOperationException(body["message"]?.GetValue<string>());
    }

    /// <summary>
    /// Called after a watch stream has flushed lines to its client: the watcher's resource (plural), its client's
    /// User-Agent, the resourceVersions written and the moment (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).
    /// A bench times how long an event takes from here to wherever the client delivers it.
    /// </summary>
    public Action<string, string, IReadOnlyList<long>, long>? WatchWritten { get; set; }

    /// <summary>Every open watch of <paramref name="plural"/> has flushed all its queued lines to its client.</summary>
    internal bool WatchesWritten(string plural)
    {
        lock (_gate)
        {
            return _watchers.Where(w => w.Plural == plural).All(w => w.AllWritten);
        }
    }

    /// <summary>Changes a stored object in place; watchers see MODIFIED with a new resourceVersion, which is returned.</summary>
    public long Update(string plural, string ns, string name, Action<JsonObject> mutate)
    {
        lock (_gate)
        {
            var key = Key(plural, ns, name);
            var obj = _objects.TryGetValue(key, out var found)
                ? (JsonObject)found.DeepClone()
                : throw new InvalidOperationException($"{plural}/{name} does not exist in {ns}.");
            mutate(obj);
            Commit("MODIFIED", plural, key, obj);
            return _resourceVersion;
        }
    }

    /// <summary>
    /// Open watches keep collecting events but write nothing until <see cref="ReleaseWatchOutput"/>: lets a bench queue
    /// a burst of changes first and then time only how fast a client drains them.
    /// </summary>
    public void HoldWatchOutput()
    {
        lock (_gate)
        {
            if (_watchOutput.Task.IsCompleted)
            {
                _watchOutput = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ReleaseWatchOutput()
    {
        lock (_gate)
        {
            _watchOutput.TrySetResult();
        }
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    /// <summary>
    /// Forgets the change history up to now, as etcd compaction does: a watch that resumes from an older
    /// resourceVersion gets a 410 ERROR event and must list again.
    /// </summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedBefore = _resourceVersion;
            _history.Clear();
        }
    }

    /// <summary>Cuts every open watch stream mid-flight (the connection is aborted, not closed cleanly).</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Channel.Writer.TryComplete(new IOException("dropped by the test"));
            }
            _watchers.Clear();
        }
    }

    private async Task CreateFromRequestAsync(HttpContext context, string plural, string ns)
    {
        var body = await ReadBodyAsync(context);
        var (code, result) = body is null
            ? (400, Status(400, "BadRequest", "the body is not a JSON object", null, plural))
            : CreateCore(plural, ns, body);
        await WriteJsonAsync(context, code, result);
        if (code == 201 && plural == "pods")
        {
            PodCreated?.Invoke(ns, result["metadata"]!["name"]!.GetValue<string>());
        }
    }

    private (int, JsonObject) CreateCore(string plural, string ns, JsonObject obj)
    {
        var (kind, apiVersion) = KnownResources[plural];
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = meta;
        if (meta["name"] is null && meta["generateName"]?.GetValue<string>() is { } prefix)
        {
            meta["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
        }
        var name = meta["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            return (422, Status(422, "Invalid", $"{kind} \"\" is invalid: metadata.name: Required value: name or generateName is required", null, plural));
        }
        lock (_gate)
        {
            var key = Key(plural, ns, name);
            if (_objects.ContainsKey(key))
            {
                return (409, Status(409, "AlreadyExists", $"{plural} \"{name}\" already exists", name, plural));
            }
            obj["kind"] = kind;
            obj["apiVersion"] = apiVersion;
            meta["namespace"] = ns;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            Defaults(plural, obj);
            Commit("ADDED", plural, key, obj);
            return (201, (JsonObject)obj.DeepClone());
        }
    }

    private (int, JsonObject) Replace(string plural, string ns, string name, JsonObject? obj)
    {
        if (obj is null)
        {
            return (400, Status(400, "BadRequest", "the body is not a JSON object", name, plural));
        }
        lock (_gate)
        {
            var key = Key(plural, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                return NotFound(plural, name);
            }
            var sent = obj["metadata"]?["resourceVersion"]?.GetValue<string>();
            var have = current["metadata"]!["resourceVersion"]!.GetValue<string>();
            if (!string.IsNullOrEmpty(sent) && sent != have)
            {
                return (409, Status(409, "Conflict",
                    $"Operation cannot be fulfilled on {plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                    name, plural));
            }
            var meta = (JsonObject)obj["metadata"]!;
            meta["uid"] = current["metadata"]!["uid"]!.DeepClone();
            meta["creationTimestamp"] = current["metadata"]!["creationTimestamp"]!.DeepClone();
            meta["namespace"] = ns;
            obj["kind"] = current["kind"]!.DeepClone();
            obj["apiVersion"] = current["apiVersion"]!.DeepClone();
            Commit("MODIFIED", plural, key, obj);
            return (200, (JsonObject)obj.DeepClone());
        }
    }

    private (int, JsonObject) Patch(string plural, string ns, string name, JsonObject? patch)
    {
        if (patch is null)
        {
            return (400, Status(400, "BadRequest", "the patch is not a JSON object", name, plural));
        }
        lock (_gate)
        {
            var key = Key(plural, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                return NotFound(plural, name);
            }
            var merged = (JsonObject)MergePatch(current.DeepClone(), patch)!;
            Commit("MODIFIED", plural, key, merged);
            return (200, (JsonObject)merged.DeepClone());
        }
    }

    private (int, JsonObject) Delete(string plural, string ns, string name)
    {
        lock (_gate)
        {
            var key = Key(plural, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                return NotFound(plural, name);
            }
            var gone = (JsonObject)current.DeepClone();
            gone["metadata"]!["deletionTimestamp"] = Now();
            Commit("DELETED", plural, key, gone);
            return (200, (JsonObject)gone.DeepClone());
        }
    }

    /// <summary>RFC 7386: null removes a member, objects merge member by member, anything else replaces.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key]?.DeepClone(), value);
            }
        }
        return result;
    }

    /// <summary>Stores (or removes) the object under a new resourceVersion and tells the watchers. Caller holds the lock.</summary>
    private void Commit(string type, string plural, string key, JsonObject obj)
    {
        _resourceVersion++;
        obj["metadata"]!["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        if (type == "DELETED")
        {
            _objects.Remove(key);
        }
        else
        {
            _objects[key] = obj;
        }
        var change = new FakeChange(_resourceVersion, type, plural, Namespace(obj), (JsonObject)obj.DeepClone());
        _history.Add(change);
        foreach (var watcher in _watchers)
        {
            if (watcher.Matches(change))
            {
                watcher.Enqueue(new FakeWatchLine(change.Line(), change.ResourceVersion));
            }
        }
    }

    private JsonObject List(string plural, string? ns, string? labelSelector, string? fieldSelector)
    {
        var (kind, apiVersion) = KnownResources[plural];
        lock (_gate)
        {
            var filter = new FakeSelector(labelSelector, fieldSelector);
            var items = new JsonArray();
            foreach (var obj in _objects.Values
                         .Where(o => Plural(o) == plural && (ns is null || Namespace(o) == ns) && filter.Matches(o))
                         .OrderBy(o => long.Parse(o["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture)))
            {
                var item = (JsonObject)obj.DeepClone();
                // The apiserver leaves kind and apiVersion off list items; the list carries them.
                item.Remove("kind");
                item.Remove("apiVersion");
                items.Add(item);
            }
            return new JsonObject
            {
                ["kind"] = kind + "List",
                ["apiVersion"] = apiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    private async Task WatchAsync(HttpContext context, string plural, string? ns, string? resourceVersion,
        string? labelSelector, string? fieldSelector, int timeoutSeconds)
    {
        var watcher = new FakeWatcher(plural, ns, new FakeSelector(labelSelector, fieldSelector), context.Request.Headers.UserAgent.ToString());
        // Headers go out first, as the apiserver does, so a client sees the stream open before any event.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        lock (_gate)
        {
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var obj in _objects.Values.Where(o => Plural(o) == plural).OrderBy(o => o["metadata"]!["resourceVersion"]!.GetValue<string>().PadLeft(20, '0')))
                {
                    var change = new FakeChange(0, "ADDED", plural, Namespace(obj), (JsonObject)obj.DeepClone());
                    if (watcher.Matches(change))
                    {
                        watcher.Enqueue(new FakeWatchLine(change.Line(), 0));
                    }
                }
            }
            else if (!long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out var from) || from < _compactedBefore)
            {
                var status = Status(410, "Expired", $"too old resource version: {resourceVersion} ({_compactedBefore})", null, plural);
                watcher.Enqueue(new FakeWatchLine(new JsonObject { ["type"] = "ERROR", ["object"] = status }.ToJsonString(), 0));
                watcher.Channel.Writer.TryComplete();
            }
            else
            {
                foreach (var change in _history.Where(c => c.ResourceVersion > from && watcher.Matches(c)))
                {
                    watcher.Enqueue(new FakeWatchLine(change.Line(), change.ResourceVersion));
                }
            }
            if (!watcher.Channel.Reader.Completion.IsCompleted)
            {
                _watchers.Add(watcher);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, timeoutSeconds)));
        try
        {
            var reader = watcher.Channel.Reader;
            while (await reader.WaitToReadAsync(timeout.Token))
            {
                if (Volatile.Read(ref _watchOutput).Task is { IsCompleted: false } held)
                {
                    await held.WaitAsync(timeout.Token);
                }
                // One line per event; what is queued goes out together, then one flush (as a busy apiserver's would).
                var written = WatchWritten is null ? null : new List<long>();
                var lines = 0;
                while (reader.TryRead(out var line))
                {
                    await context.Response.WriteAsync(line.Text + "\n", timeout.Token);
                    written?.Add(line.ResourceVersion);
                    lines++;
                }
                await context.Response.Body.FlushAsync(timeout.Token);
                watcher.MarkWritten(lines);
                if (written is not null)
                {
                    WatchWritten?.Invoke(watcher.Plural, watcher.Client, written, System.Diagnostics.Stopwatch.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds passed or the client went away: end the stream cleanly.
        }
        catch (IOException)
        {
            context.Abort();
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private static void Defaults(string plural, JsonObject obj)
    {
        switch (plural)
        {
            case "pods":
                obj["status"] ??= new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
                break;
            case "services" when obj["spec"] is JsonObject spec:
                spec["type"] ??= "ClusterIP";
                spec["clusterIP"] ??= $"10.96.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";
                break;
            case "secrets":
                obj["type"] ??= "Opaque";
                if (obj["stringData"] is JsonObject stringData)
                {
                    var data = obj["data"] as JsonObject ?? new JsonObject();
                    foreach (var (k, v) in stringData)
                    {
                        data[k] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(v!.GetValue<string>()));
                    }
                    obj["data"] = data;
                    obj.Remove("stringData");
                }
                break;
            case "persistentvolumeclaims":
                obj["status"] ??= new JsonObject { ["phase"] = "Pending" };
                break;
        }
    }

    private static string Key(string plural, string ns, string name) => $"{plural}/{ns}/{name}";

    private static string Plural(JsonObject obj) =>
        KnownResources.First(r => r.Value.Kind == obj["kind"]!.GetValue<string>()).Key;

    private static string Namespace(JsonObject obj) => obj["metadata"]!["namespace"]!.GetValue<string>();

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
