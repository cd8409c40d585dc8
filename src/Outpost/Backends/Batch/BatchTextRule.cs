namespace Outpost.Backends.Batch;

/// <summary>
/// Which texts may be chosen for one field: any of <see cref="Values"/>, or any text that matches
/// <see cref="Pattern"/>. With neither set, the field may not be chosen. A chosen text must in any case consist of
/// the characters the backend's directives can carry safely (for Slurm letters, digits and
/// <c>_ . , : = + @ &amp; | ! * ( ) [ ] / -</c>), at most 200 characters.
/// </summary>
public sealed class BatchTextRule
{
    /// <summary>Exact values that are allowed. Default none.</summary>
    public string[] Values { get; set; } = [];

    /// <summary>Regular expression a value must match as a whole. Default none.</summary>
    public string? Pattern { get; set; }

    internal bool IsOpen => Values.Length > 0 || !string.IsNullOrEmpty(Pattern);
}
