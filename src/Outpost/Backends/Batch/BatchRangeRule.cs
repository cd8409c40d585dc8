namespace Outpost.Backends.Batch;

/// <summary>
/// Which numbers may be chosen for one field: from <see cref="Min"/> to <see cref="Max"/>, both inclusive.
/// Without <see cref="Max"/> the field may not be chosen.
/// </summary>
public sealed class BatchRangeRule
{
    /// <summary>Smallest allowed value. Default 1.</summary>
    public long Min { get; set; } = 1;

    /// <summary>Largest allowed value. Default none (the field may not be chosen).</summary>
    public long? Max { get; set; }

    internal bool IsOpen => Max is not null;
}
