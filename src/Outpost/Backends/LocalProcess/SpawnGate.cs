namespace Outpost.Backends.LocalProcess;

/// <summary>
/// The caller's end of a gated spawn (<see cref="PosixProcess.SpawnGated"/>): <see cref="Open"/> lets the program
/// run; disposing the gate unopened, or the caller dying, makes the waiting child exit without running it.
/// </summary>
internal sealed class SpawnGate(int fd) : IDisposable
{
    private int _fd = fd;

    /// <summary>Lets the program run; false when the child is already gone (e.g. a stop signalled it).</summary>
    public bool Open()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return PosixProcess.WriteAndClose(fd, "go\n"u8);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            PosixProcess.Close(fd);
        }
    }
}
