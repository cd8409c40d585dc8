using System.Text;
using Outpost.Backends.Containers.Docker;

namespace Outpost.Tests.Backends.Containers;

public sealed class DockerLogStreamTests
{
    [Fact]
    public void Demultiplex_FramesOfStdoutAndStderr_TextInOrder()
    {
        var body = Frame(1, "first line\nsec").Concat(Frame(2, "ond line\n")).Concat(Frame(1, "third\n")).ToArray();

        Assert.Equal("first line\nsecond line\nthird\n", DockerLogStream.Demultiplex(body));
        Assert.Equal(["second line", "third"], DockerLogStream.LastLines(body, 2));
    }

    [Fact]
    public void Demultiplex_RawTextOfTtyContainer_IsTakenAsItIs()
    {
        var body = Encoding.UTF8.GetBytes("plain\r\nlog\n");

        Assert.Equal(["plain", "log"], DockerLogStream.LastLines(body, 10));
    }

    [Fact]
    public void Demultiplex_TruncatedLastFrame_KeepsWhatArrived()
    {
        var frame = Frame(1, "complete\n").Concat(Frame(2, "cut off here")).ToArray();

        Assert.Equal("complete\ncut off", DockerLogStream.Demultiplex(frame.AsSpan(0, frame.Length - 5)));
    }

    [Fact]
    public void LastLines_Empty_AndZeroLines()
    {
        Assert.Empty(DockerLogStream.LastLines([], 5));
        Assert.Empty(DockerLogStream.LastLines(Frame(1, "x\n"), 0));
    }

    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var header = new byte[] { stream, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length };
        return [.. header, .. payload];
    }
}
