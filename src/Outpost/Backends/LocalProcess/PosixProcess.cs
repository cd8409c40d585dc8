using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Outpost.Backends.LocalProcess;

/// <summary>
/// Starts a program with <c>posix_spawn</c> (behind a gate, see <see cref="SpawnGated"/>) in a new session (so its whole process group can be
/// signalled and it outlives the Outpost), stdin from /dev/null and stdout+stderr appended to a file
/// (so no pipe to the Outpost breaks when the Outpost restarts). Linux/glibc only.
/// </summary>
internal static unsafe partial class PosixProcess
{
    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;
    private const short PosixSpawnSetSid = 0x80;
    private const int ORdOnly = 0x0;
    private const int OWrOnly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    private const int SigPipe = 13;
    private const int Eintr = 4;
    private const int OCloExec = 0x80000;

    /// <summary>The descriptor on which a gated child reads its gate.</summary>
    private const int GateFd = 3;

    /// <summary>
    /// What a gated child runs first: wait for "go" on the gate, close it, then become the program with
    /// <c>exec</c> (same pid, session and start time). Without "go" (the gate was disposed, or the Outpost died
    /// and the kernel closed the pipe) it exits with 125 and the program never runs. dash exports PWD, which
    /// the program's environment did not have, hence the <c>unset</c>.
    /// </summary>
    private const string GateScript = """read -r go <&3 || exit 125; exec 3<&-; [ "$go" = go ] || exit 125; """;

    /// <summary>
    /// Spawns <paramref name="path"/> behind a gate: the program runs only after <see cref="SpawnGate.Open"/>,
    /// so the caller can first record the pid where others find it. If the caller dies before opening the gate,
    /// the child exits on its own; nothing is left running that no record points to. The program sees the
    /// environment, folder, output and session that <see cref="Spawn"/> gives it; its argv[0] is
    /// <paramref name="path"/>.
    /// </summary>
    public static (int Pid, SpawnGate Gate) SpawnGated(string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string workingDirectory, string logFile)
    {
        var (read, write) = Pipe();
        try
        {
            var script = GateScript + (environment.ContainsKey("PWD") ? "" : "unset PWD; ") + "exec \"$0\" \"$@\"";
            string[] shell = ["/bin/sh", "-c", script, path, .. argv.Skip(1)];
            var pid = Spawn("/bin/sh", shell, environment, workingDirectory, logFile, read);
            return (pid, new SpawnGate(write));
        }
        catch
        {
            close(write);
            throw;
        }
        finally
        {
            close(read);
        }
    }

    /// <summary>Spawns <paramref name="path"/> with the read end of a gate pipe as fd 3; returns its pid.</summary>
    private static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string workingDirectory, string logFile, int gate)
    {
        // glibc's opaque structs are far smaller than these buffers (80 and 336 bytes on x86-64).
        var fileActions = Marshal.AllocHGlobal(1024);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(256);
        var strings = new List<IntPtr>();
        try
        {
            Check(posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            // First, in case the pipe got one of the descriptors 0-2 (an Outpost started with them closed).
            Check(posix_spawn_file_actions_adddup2(fileActions, gate, GateFd), "adddup2 gate");
            Check(posix_spawn_file_actions_addopen(fileActions, 0, "/dev/null", ORdOnly, 0), "addopen stdin");
            Check(posix_spawn_file_actions_addopen(fileActions, 1, logFile, OWrOnly | OCreat | OAppend, 0x180), "addopen stdout");
            Check(posix_spawn_file_actions_adddup2(fileActions, 1, 2), "adddup2 stderr");
            Check(posix_spawn_file_actions_addchdir_np(fileActions, workingDirectory), "addchdir");

            // The runtime ignores SIGPIPE and may block signals; the child gets the defaults back.
            sigemptyset(signals);
            Check(posix_spawnattr_setsigmask(attributes, signals), "setsigmask");
            sigaddset(signals, SigPipe);
            Check(posix_spawnattr_setsigdefault(attributes, signals), "setsigdefault");
            Check(posix_spawnattr_setflags(attributes, (short)(PosixSpawnSetSid | PosixSpawnSetSigMask | PosixSpawnSetSigDef)), "setflags");

            var argvBlock = ToNullTerminated(argv, strings);
            var envBlock = ToNullTerminated([.. environment.Select(p => $"{p.Key}={p.Value}")], strings);
            int pid;
            var error = posix_spawn(&pid, path, fileActions, attributes, argvBlock, envBlock);
            if (error != 0)
            {
                throw new Win32Exception(error);
            }
            return pid;
        }
        finally
        {
            posix_spawn_file_actions_destroy(fileActions);
            posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(fileActions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
            strings.ForEach(Marshal.FreeHGlobal);
        }
    }

    /// <summary>Blocks until our child <paramref name="pid"/> ends; returns its exit code (minus the signal when killed by one), or null if it is not our child.</summary>
    public static int? WaitForExit(int pid)
    {
        while (true)
        {
            int status;
            var result = waitpid(pid, &status, 0);
            if (result == pid)
            {
                var signal = status & 0x7f;
                // Killed by a signal: minus the signal, as Python's returncode (and so the original Outpost) says.
                return signal == 0 ? (status >> 8) & 0xff : -signal;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (result < 0 && errno == Eintr)
            {
                continue;
            }
            return null;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the process group <paramref name="pgid"/>; false when it no longer exists.</summary>
    public static bool SignalGroup(int pgid, int signal) => kill(-pgid, signal) == 0;

    /// <summary>
    /// The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or null when the
    /// process does not exist or is a zombie. Together with the pid it identifies a process across pid reuse.
    /// </summary>
    public static long? StartTicks(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) may contain spaces and ')' — parse after its last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X")
        {
            return null;
        }
        return long.TryParse(fields[19], out var ticks) ? ticks : null;
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="fd"/> and closes it; false when the reader is gone.</summary>
    internal static bool WriteAndClose(int fd, ReadOnlySpan<byte> data)
    {
        try
        {
            fixed (byte* bytes = data)
            {
                nint result;
                do
                {
                    result = write(fd, bytes, data.Length);
                }
                while (result < 0 && Marshal.GetLastPInvokeError() == Eintr);
                return result == data.Length; // a pipe's few bytes go in one write; EPIPE when the child is gone
            }
        }
        finally
        {
            close(fd);
        }
    }

    internal static void Close(int fd) => close(fd);

    /// <summary>A pipe whose write end is close-on-exec, so no other child keeps it open (which would hide the caller's death).</summary>
    private static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, OCloExec) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
        }
        var read = fds[0];
        if (read == GateFd)
        {
            // dup2 onto itself would leave close-on-exec set; the read end may be inherited, only the write end must not.
            read = dup(fds[0]);
            close(fds[0]);
            if (read < 0)
            {
                close(fds[1]);
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "dup failed");
            }
        }
        return (read, fds[1]);
    }

    private static IntPtr ToNullTerminated(IReadOnlyList<string> values, List<IntPtr> owned)
    {
        var block = Marshal.AllocHGlobal(IntPtr.Size * (values.Count + 1));
        owned.Add(block);
        for (var i = 0; i < values.Count; i++)
        {
            var text = Marshal.StringToCoTaskMemUTF8(values[i]);
            owned.Add(text);
            Marshal.WriteIntPtr(block, i * IntPtr.Size, text);
        }
        Marshal.WriteIntPtr(block, values.Count * IntPtr.Size, IntPtr.Zero);
        return block;
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new Win32Exception(error, $"{call} failed");
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn(int* pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(IntPtr fileActions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(IntPtr fileActions);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addopen(IntPtr fileActions, int fd, string path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(IntPtr fileActions, int fd, int newFd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addchdir_np(IntPtr fileActions, string path);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(IntPtr attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(IntPtr attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr mask);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [LibraryImport("libc")]
    private static partial int sigemptyset(IntPtr set);

    [LibraryImport("libc")]
    private static partial int sigaddset(IntPtr set, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
