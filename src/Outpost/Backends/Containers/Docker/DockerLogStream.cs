using System.Buffers.Binary;
using System.Text;

namespace Outpost.Backends.Containers.Docker;

/// <summary>
/// Reads the body of GET /containers/{id}/logs. Without a TTY the engine multiplexes stdout and stderr in frames:
/// one byte stream id (0 stdin, 1 stdout, 2 stderr), three zero bytes, a big-endian 32-bit length, then the payload.
/// A body that does not start like a frame is taken as raw text (a TTY container, or an engine that does not frame).
/// </summary>
public static class DockerLogStream
{
    private const int HeaderLength = 8;

    /// <summary>The text of all frames, in order; stdout and stderr interleaved as the engine recorded them.</summary>
    public static string Demultiplex(ReadOnlySpan<byte> body)
    {
        if (!LooksFramed(body))
        {
            return Encoding.UTF8.GetString(body);
        }
        using var text = new MemoryStream(body.Length);
        while (body.Length >= HeaderLength && LooksFramed(body))
        {
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body.Slice(4, 4)), (uint)(body.Length - HeaderLength));
            text.Write(body.Slice(HeaderLength, length));
            body = body[(HeaderLength + length)..];
        }
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary>The last <paramref name="maxLines"/> non-empty-at-end lines of the log, oldest first.</summary>
    public static IReadOnlyList<string> LastLines(ReadOnlySpan<byte> body, int maxLines)
    {
        if (maxLines <= 0)
        {
            return [];
        }
        var lines = Demultiplex(body).Split('\n');
        return [.. lines.Where((line, i) => i < lines.Length - 1 || line.Length > 0).Select(l => l.TrimEnd('\r')).TakeLast(maxLines)];
    }

    private static bool LooksFramed(ReadOnlySpan<byte> body) =>
        body.Length >= HeaderLength && body[0] <= 2 && body[1] == 0 && body[2] == 0 && body[3] == 0;
}
