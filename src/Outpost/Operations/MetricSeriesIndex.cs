using System.Collections.Concurrent;

namespace Outpost.Operations;

/// <summary>
/// The series a tag set was recorded to before, found without building its label text: measurements arrive on every
/// request (ASP.NET Core's request duration and active requests, the Outpost's own request duration), and rendering the
/// labels of each one allocated more than the rest of the poll's metrics. Tag keys compare ordinally, values with
/// <see cref="object.Equals(object?, object?)"/>; tags given in another order, or values of another type that render
/// alike (1 and 1L), are entries of their own that lead to the same series, since series stay keyed by their label text.
/// </summary>
internal sealed class MetricSeriesIndex<TSeries>
    where TSeries : class
{
    private readonly ConcurrentDictionary<int, Entry> _byHash = new();
    private readonly Lock _adding = new();

    /// <summary>The series of a tag set seen before; null the first time.</summary>
    public TSeries? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_byHash.TryGetValue(Hash(tags), out var entry))
        {
            return null;
        }
        for (; entry is not null; entry = entry.Next)
        {
            if (Matches(entry.Tags, tags))
            {
                return entry.Series;
            }
        }
        return null;
    }

    /// <summary>Remembers <paramref name="series"/> for this tag set (a copy of it); returns the series now remembered for it.</summary>
    public TSeries Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, TSeries series)
    {
        lock (_adding)
        {
            if (Find(tags) is { } known)
            {
                return known;
            }
            var hash = Hash(tags);
            // Readers walk a chain without a lock: a new entry goes in front of the old chain, which is never changed.
            _byHash[hash] = new Entry(tags.ToArray(), series, _byHash.GetValueOrDefault(hash));
            return series;
        }
    }

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = new HashCode();
        foreach (var (key, value) in tags)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    private static bool Matches(KeyValuePair<string, object?>[] known, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (known.Length != tags.Length)
        {
            return false;
        }
        for (var i = 0; i < known.Length; i++)
        {
            if (!string.Equals(known[i].Key, tags[i].Key, StringComparison.Ordinal) || !Equals(known[i].Value, tags[i].Value))
            {
                return false;
            }
        }
        return true;
    }

    private sealed record Entry(KeyValuePair<string, object?>[] Tags, TSeries Series, Entry? Next);
}
