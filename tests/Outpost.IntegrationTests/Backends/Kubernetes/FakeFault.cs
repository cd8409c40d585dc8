namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>An injected failure, used up after <see cref="Remaining"/> matching requests.</summary>
internal sealed class FakeFault(string method, string pathContains, int statusCode, int times)
{
    private int _remaining = times;

    public string Method => method;
    public string PathContains => pathContains;
    public int StatusCode => statusCode;
    public int Remaining => Volatile.Read(ref _remaining);

    public bool TryTake() => Interlocked.Decrement(ref _remaining) >= 0;
}
