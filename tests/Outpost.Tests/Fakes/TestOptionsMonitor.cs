using Microsoft.Extensions.Options;

namespace Outpost.Tests.Fakes;

/// <summary>An <see cref="IOptionsMonitor{TOptions}"/> whose value a test sets directly.</summary>
public sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
