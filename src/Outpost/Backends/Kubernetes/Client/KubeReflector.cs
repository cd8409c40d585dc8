using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using k8s;
using k8s.Models;
using Outpost.Operations;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// A list-then-watch cache of one kind in one namespace (kubespawner's reflector): it lists once, then follows a
/// watch from the list's resourceVersion, resumes from the last seen resourceVersion when the stream ends or drops,
/// and lists again only on 410 Gone. Readers never call the API; they read the cache and can await the next change.
/// </summary>
public sealed partial class KubeReflector<T> : IAsyncDisposable where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly IKubeApi _client;
    private readonly string _namespace;
    private readonly string? _labelSelector;
    private readonly string? _fieldSelector;
    private readonly int _watchTimeoutSeconds;
    private readonly Func<T, string?>? _indexBy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, T>> _index = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startGate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private long _version;
    private int _lists;
    private int _watches;

    /// <summary>
    /// A cache of <typeparamref name="T"/> in <paramref name="ns"/> matching the selectors; <paramref name="indexBy"/>
    /// optionally gives a secondary key (e.g. an event's involved object name) for <see cref="GetByIndex"/>.
    /// </summary>
    public KubeReflector(
        IKubeApi client, string ns, string? labelSelector, string? fieldSelector, int watchTimeoutSeconds,
        TimeProvider time, ILogger logger, Func<T, string?>? indexBy = null)
    {
        _client = client;
        _namespace = ns;
        _labelSelector = labelSelector;
        _fieldSelector = fieldSelector;
        _watchTimeoutSeconds = watchTimeoutSeconds;
        _time = time;
        _logger = logger;
        _indexBy = indexBy;
    }

    /// <summary>True once the first list has filled the cache.</summary>
    public bool IsSynced => _synced.Task.IsCompleted;

    /// <summary>Number of completed lists (1 after start-up; more after 410 Gone).</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>Number of watch streams opened.</summary>
    public int Watches => Volatile.Read(ref _watches);

    /// <summary>Count of changes applied to the cache.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The last failure of the list/watch loop, cleared once a list succeeds or a watch is accepted again.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>True when the cache is filled and the loop is not failing: what it holds can be trusted.</summary>
    public bool IsCurrent => IsSynced && LastError is null;

    /// <summary>Completes at the next change of the cache. Take it before reading the cache, then await it.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public int Count => _items.Count;

    public ICollection<T> Items => _items.Values;

    /// <summary>Starts the list/watch loop once; later calls do nothing.</summary>
    public KubeReflector<T> Start()
    {
        lock (_startGate)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
        return this;
    }

    /// <summary>Waits for the first list, at most <paramref name="timeout"/>.</summary>
    public Task WaitForSyncAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Start()._synced.Task.WaitAsync(timeout, _time, cancellationToken);

    public T? Get(string name) => _items.GetValueOrDefault(name);

    /// <summary>The objects whose index key (see the constructor) is <paramref name="key"/>.</summary>
    public IReadOnlyCollection<T> GetByIndex(string key) =>
        _index.TryGetValue(key, out var items) ? items.Values.ToList() : [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var needList = true;
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    var list = await _client.ListAsync<T>(_namespace, _labelSelector, _fieldSelector, cancellationToken);
                    ReplaceAll(list.Items);
                    resourceVersion = list.Metadata?.ResourceVersion;
                    needList = false;
                    Interlocked.Increment(ref _lists);
                    LastError = null;
                    _synced.TrySetResult();
                    Signal();
                }
                Interlocked.Increment(ref _watches);
                await foreach (var change in _client.WatchAsync<T>(
                                   _namespace, resourceVersion, _labelSelector, _fieldSelector, _watchTimeoutSeconds, cancellationToken,
                                   opened: () => LastError = null))
                {
                    resourceVersion = change.Object?.Metadata?.ResourceVersion ?? resourceVersion;
                    if (change.Type != WatchEvent<T>.Bookmark && change.Object is { } obj)
                    {
                        Apply(change.Type, obj);
                        LastError = null;
                        Signal();
                    }
                    backoff = TimeSpan.FromMilliseconds(200);
                }
                // The server ended the stream (timeoutSeconds): resume from where it stopped.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                Log.Gone(_logger, typeof(T).Name, _namespace);
                needList = true;
            }
            catch (Exception e)
            {
                LastError = e;
                Log.WatchFailed(_logger, typeof(T).Name, _namespace, backoff.TotalSeconds, e);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private void ReplaceAll(List<T> items)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Metadata?.Name is { } name)
            {
                names.Add(name);
                Apply(WatchEvent<T>.Modified, item);
            }
        }
        foreach (var (name, item) in _items)
        {
            if (!names.Contains(name))
            {
                Apply(WatchEvent<T>.Deleted, item);
            }
        }
    }

    private void Apply(string? type, T obj)
    {
        if (obj.Metadata?.Name is not { } name)
        {
            return;
        }
        if (_items.TryGetValue(name, out var previous) && _indexBy?.Invoke(previous) is { } oldKey && _index.TryGetValue(oldKey, out var oldBucket))
        {
            oldBucket.TryRemove(name, out _);
        }
        if (type == WatchEvent<T>.Deleted)
        {
            _items.TryRemove(name, out _);
        }
        else
        {
            _items[name] = obj;
            if (_indexBy?.Invoke(obj) is { } key)
            {
                _index.GetOrAdd(key, _ => new ConcurrentDictionary<string, T>(StringComparer.Ordinal))[name] = obj;
            }
        }
        Interlocked.Increment(ref _version);
    }

    private void Signal()
    {
        var previous = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.KubeWatchExpired, Level = LogLevel.Information,
            Message = "Watch of {Kind} in namespace {Namespace} is too old (410 Gone); listing again")]
        public static partial void Gone(ILogger logger, string kind, string @namespace);

        [LoggerMessage(EventId = LogEvents.KubeWatchFailed, Level = LogLevel.Warning,
            Message = "Watch of {Kind} in namespace {Namespace} failed; retrying in {Seconds} s")]
        public static partial void WatchFailed(ILogger logger, string kind, string @namespace, double seconds, Exception exception);
    }
}
