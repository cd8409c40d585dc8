using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Tests.Backends.Kubernetes.Client;

public sealed class KubeTokenSourceTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Get_TokenFileRotated_IsReadAgainAfterAMinuteOrWhenForced()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "one\n");
            var time = new ManualTime();
            var source = new KubeTokenSource(null, file, time);
            Assert.Equal("one", source.Get());

            File.WriteAllText(file, "two");
            Assert.Equal("one", source.Get());
            Assert.Equal("two", source.Get(forceReread: true));

            File.WriteAllText(file, "three");
            time.Now += TimeSpan.FromSeconds(61);
            Assert.Equal("three", source.Get());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
