using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes.Client;

public sealed class KubeTokenSourceTests
{
    [Fact]
    public void Get_TokenFileRotated_IsReadAgainAfterAMinuteOrWhenForced()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "one\n");
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var source = new KubeTokenSource(null, file, time);
            Assert.Equal("one", source.Get());

            File.WriteAllText(file, "two");
            Assert.Equal("one", source.Get());
            Assert.Equal("two", source.Get(forceReread: true));

            File.WriteAllText(file, "three");
            time.Advance(TimeSpan.FromSeconds(61));
            Assert.Equal("three", source.Get());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
