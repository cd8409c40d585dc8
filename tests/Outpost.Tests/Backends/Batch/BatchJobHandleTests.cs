using Outpost.Backends;
using Outpost.Backends.Batch;

namespace Outpost.Tests.Backends.Batch;

public sealed class BatchJobHandleTests
{
    [Fact]
    public void From_AHandleTheSlurmBackendStoredBeforeTheBatchCodeExisted_ReadsTheSame() =>
        Assert.Equal(
            new BatchJobHandle("42", "asmith", 51234, "/srv/work/x-42.out", "node7"),
            BatchJobHandle.From(new BackendHandle("""{"jobId":"42","user":"asmith","port":51234,"output":"/srv/work/x-42.out","host":"node7"}""")));

    [Fact]
    public void ToHandle_WritesTheStoredFormUnchanged() =>
        Assert.Equal(
            """{"jobId":"42","user":"","port":51234,"output":"/srv/work/x-42.out","host":""}""",
            new BatchJobHandle("42", "", 51234, "/srv/work/x-42.out").ToHandle().Data);

    [Theory]
    [InlineData("""{"jobId":"42;rm","user":"","port":1,"output":"/x"}""")]
    [InlineData("not json")]
    public void From_UnreadableHandle_NamesTheScheduler(string data)
    {
        var e = Assert.Throws<BackendException>(() => BatchJobHandle.From(new BackendHandle(data), "Grid Engine"));
        Assert.Equal("The stored Grid Engine job handle of this server cannot be read.", e.Message);
    }
}
