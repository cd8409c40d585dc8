using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Outpost.Bench.Hosts;

/// <summary>What the bench needs to run a child on loopback: a free port, and SIGTERM (Process.Kill only sends SIGKILL).</summary>
internal static partial class LocalProcesses
{
    private const int SigTerm = 15;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Asks the process to stop; false when it is already gone.</summary>
    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
