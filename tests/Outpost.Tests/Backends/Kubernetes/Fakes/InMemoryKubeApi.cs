using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Outpost.Backends.Kubernetes.Client;
using Outpost.IntegrationTests.Backends.Kubernetes;
using k8s;
using k8s.Models;

namespace Outpost.Tests.Backends.Kubernetes.Fakes;

/// <summary>
/// An in-memory Kubernetes for unit tests of the backend's logic: objects kept per kind, namespace and name (deep
/// copies, as over the wire), resourceVersions, uids, 404/409 answers and watches fed from the same changes. It
/// records each call as "verb plural namespace/name" so a test can assert what the backend asked for.
/// </summary>
internal sealed class InMemoryKubeApi : IKubeApi
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Plural, string Ns, string Name), object> _objects = [];
    private readonly List<(Channel<(string Type, object Obj)> Channel, string Plural, string Ns, string? LabelSelector)> _watchers = [];

    // Every change, so a watch from a resourceVersion replays what came after it, as the API server does (a
    // reflector lists, then watches from the list's version: a change between the two must not be lost).
    private readonly List<(long Version, string Type, string Plural, string Ns, object Obj)> _history = [];
    private long _version = 100;

    public string? DefaultNamespace { get; init; } = "default";

    public string Server => "in-memory";

    /// <summary>Every call, in order: "create pods jhub/alice".</summary>
    public List<string> Calls { get; } = [];

    /// <summary>What the fake pod log returns.</summary>
    public string Log { get; set; } = "";

    /// <summary>Kinds ("events") whose watches stay silent, as a lagging watch stream would; lists still see them.</summary>
    public HashSet<string> LaggingWatches { get; } = [];

    /// <summary>Verbs ("create pods") that fail with 403, as missing RBAC would.</summary>
    public HashSet<string> Forbidden { get; } = [];

    public Task<T> CreateAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = Record<T>("create", ns, obj.Metadata?.Name);
        var copy = Copy(obj);
        lock (_gate)
        {
            var name = copy.Metadata!.Name!;
            if (_objects.ContainsKey((plural, ns, name)))
            {
                throw new KubeApiException(HttpStatusCode.Conflict, "create", plural, ns, name, new V1Status { Reason = "AlreadyExists" });
            }
            copy.Metadata.NamespaceProperty = ns;
            copy.Metadata.Uid = Guid.NewGuid().ToString();
            copy.Metadata.CreationTimestamp = DateTime.UtcNow;
            copy.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _objects[(plural, ns, name)] = copy;
            Publish(WatchEvent<T>.Added, plural, ns, copy);
            return Task.FromResult(Copy(copy));
        }
    }

    public Task<T?> GetAsync<T>(string ns, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = Record<T>("get", ns, name);
        lock (_gate)
        {
            return Task.FromResult(_objects.TryGetValue((plural, ns, name), out var found) ? Copy((T)found) : null);
        }
    }

    public Task<KubeList<T>> ListAsync<T>(string ns, string? labelSelector = null, string? fieldSelector = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = Record<T>("list", ns, null);
        lock (_gate)
        {
            var items = _objects.Where(p => p.Key.Plural == plural && p.Key.Ns == ns && Matches((T)p.Value, labelSelector))
                .Select(p => Copy((T)p.Value)).ToList();
            return Task.FromResult(new KubeList<T>
            {
                Items = items,
                Metadata = new V1ListMeta { ResourceVersion = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
    }

    public Task<bool> DeleteAsync<T>(string ns, string name, long? gracePeriodSeconds, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = Record<T>("delete", ns, name);
        lock (_gate)
        {
            if (!_objects.Remove((plural, ns, name), out var gone))
            {
                return Task.FromResult(false);
            }
            ++_version;
            Publish(WatchEvent<T>.Deleted, plural, ns, gone);
            return Task.FromResult(true);
        }
    }

    /// <summary>Namespaces created so far, in order.</summary>
    public List<V1Namespace> Namespaces { get; } = [];

    public Task<bool> CreateNamespaceAsync(string name, IDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"create namespaces {name}");
            if (Forbidden.Contains("create namespaces"))
            {
                throw new KubeApiException(HttpStatusCode.Forbidden, "create", "namespaces", "", name, new V1Status { Reason = "Forbidden" });
            }
            if (Namespaces.Any(n => n.Metadata.Name == name))
            {
                return Task.FromResult(false);
            }
            Namespaces.Add(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>(labels) } });
            return Task.FromResult(true);
        }
    }

    public Task<V1SubjectAccessReviewStatus> ReviewAccessAsync(V1ResourceAttributes attributes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"create selfsubjectaccessreviews {attributes.Verb} {attributes.Resource}");
            return Task.FromResult(new V1SubjectAccessReviewStatus { Allowed = !Forbidden.Contains($"{attributes.Verb} {attributes.Resource}") });
        }
    }

    public Task<string> ReadLogAsync(string ns, string pod, string container, int tailLines, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"get pods/log {ns}/{pod}");
        }
        return Task.FromResult(Log);
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        string ns,
        string? resourceVersion,
        string? labelSelector = null,
        string? fieldSelector = null,
        int timeoutSeconds = 300,
        [EnumeratorCancellation] CancellationToken cancellationToken = default,
        Action? opened = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = Record<T>("watch", ns, null);
        var channel = Channel.CreateUnbounded<(string Type, object Obj)>();
        var watcher = (channel, plural, ns, labelSelector);
        lock (_gate)
        {
            if (long.TryParse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture, out var from))
            {
                foreach (var change in _history.Where(c => c.Version > from && c.Plural == plural && c.Ns == ns && !LaggingWatches.Contains(plural)))
                {
                    if (change.Obj is not IKubernetesObject<V1ObjectMeta> k || Matches(k, labelSelector))
                    {
                        channel.Writer.TryWrite((change.Type, change.Obj));
                    }
                }
            }
            _watchers.Add(watcher);
        }
        try
        {
            opened?.Invoke();
            await foreach (var (type, obj) in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return new WatchEvent<T> { Type = type, Object = Copy((T)obj) };
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <summary>Changes a stored object as the cluster would (the kubelet updating a pod's status, say).</summary>
    public void Update<T>(string ns, string name, Action<T> change) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = KubeResource.Of<T>().Plural;
        lock (_gate)
        {
            var copy = Copy((T)_objects[(plural, ns, name)]);
            change(copy);
            copy.Metadata!.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _objects[(plural, ns, name)] = copy;
            Publish(WatchEvent<T>.Modified, plural, ns, copy);
        }
    }

    /// <summary>Names of the stored objects of a kind in a namespace.</summary>
    public IReadOnlyList<string> Names<T>(string ns) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = KubeResource.Of<T>().Plural;
        lock (_gate)
        {
            return _objects.Keys.Where(k => k.Plural == plural && k.Ns == ns).Select(k => k.Name).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Waits until a stored object of the kind matches <paramref name="condition"/>; returns its name.</summary>
    public async Task<string> WaitForAsync<T>(string ns, Func<T, bool> condition, TimeSpan timeout) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = KubeResource.Of<T>().Plural;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_gate)
            {
                foreach (var (key, value) in _objects)
                {
                    if (key.Plural == plural && key.Ns == ns && condition((T)value))
                    {
                        return key.Name;
                    }
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {plural} in {ns} matched within {timeout.TotalSeconds} s");
            }
            await Task.Delay(10);
        }
    }

    private string Record<T>(string verb, string ns, string? name) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var plural = KubeResource.Of<T>().Plural;
        lock (_gate)
        {
            Calls.Add(name is null ? $"{verb} {plural} {ns}" : $"{verb} {plural} {ns}/{name}");
            if (Forbidden.Contains($"{verb} {plural}"))
            {
                throw new KubeApiException(HttpStatusCode.Forbidden, verb, plural, ns, name, new V1Status { Reason = "Forbidden" });
            }
        }
        return plural;
    }

    private void Publish(string type, string plural, string ns, object obj)
    {
        _history.Add((_version, type, plural, ns, obj));
        if (LaggingWatches.Contains(plural))
        {
            return;
        }
        foreach (var watcher in _watchers.Where(w => w.Plural == plural && w.Ns == ns))
        {
            if (obj is IKubernetesObject<V1ObjectMeta> k && !Matches(k, watcher.LabelSelector))
            {
                continue;
            }
            watcher.Channel.Writer.TryWrite((type, obj));
        }
    }

    /// <summary>A deep copy, through the library's JSON as over the wire.</summary>
    private static T Copy<T>(T obj) => KubeJson.Clone(obj);

    private static bool Matches(IKubernetesObject<V1ObjectMeta> obj, string? selector) =>
        new FakeLabelSelector(selector).Matches(obj.Metadata?.Labels);
}
