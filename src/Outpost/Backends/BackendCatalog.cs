using Microsoft.Extensions.Options;

namespace Outpost.Backends;

/// <summary>Finds a configured backend by name; knows which one is the default.</summary>
public sealed class BackendCatalog(IEnumerable<IBackend> backends, IOptions<BackendsOptions> options)
{
    private readonly Dictionary<string, IBackend> _byName =
        backends.ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Names of all configured backends.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The backend used when a request names no profile.</summary>
    public IBackend Default => Get(options.Value.Default);

    /// <summary>The backend with this name; throws when it is not configured.</summary>
    public IBackend Get(string name) =>
        _byName.TryGetValue(name, out var backend)
            ? backend
            : throw new BackendException($"Backend '{name}' is not configured on this Outpost.");

    public bool TryGet(string name, out IBackend backend) => _byName.TryGetValue(name, out backend!);
}
