namespace Outpost.Operations;

/// <summary>The value of one counter or gauge series, updated lock-free.</summary>
internal sealed class MetricValue
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Set(double value) => Volatile.Write(ref _value, value);

    public void Add(double amount)
    {
        var seen = Volatile.Read(ref _value);
        while (true)
        {
            var found = Interlocked.CompareExchange(ref _value, seen + amount, seen);
            if (found.Equals(seen))
            {
                return;
            }
            seen = found;
        }
    }
}
