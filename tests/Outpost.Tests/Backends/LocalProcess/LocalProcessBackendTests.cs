using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.LocalProcess;
using Outpost.Events;
using Outpost.Hosting;
using Outpost.Servers;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Backends.LocalProcess;

/// <summary>
/// The order that lets the leader clean up after a replica that died mid-start: the server program runs
/// only after its handle is stored, so it never runs without a record that points to it.
/// </summary>
public sealed class LocalProcessBackendTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Path;

    private string Marker => Path.Combine(Dir, "ran");

    private LocalProcessBackend Backend() => new(
        Options.Create(new LocalProcessBackendOptions
        {
            Command = ["/bin/sh"],
            Args = ["-c", $"touch {Marker}; exec sleep 30"],
            WorkingDirectory = Dir,
            WaitUntilListening = false,
            StopGraceSeconds = 1,
        }),
        Options.Create(new OutpostOptions { DataDir = Dir }),
        NullLogger<LocalProcessBackend>.Instance);

    private BackendStartRequest Request() =>
        new(new ServerKey("hub1", "s", "1"), new ServerSpec { Name = "s", StartId = "1", Env = new Dictionary<string, string>() }, "res", Dir);

    [Fact]
    public async Task StartAsync_TheProgramRunsOnlyAfterItsHandleIsStored()
    {
        var backend = Backend();
        var context = new Context(handle =>
        {
            // Once the child sleeps, it waits at its gate, or (had it run the program) in `sleep 30` after touching the marker.
            var pid = System.Text.Json.JsonDocument.Parse(handle.Data).RootElement.GetProperty("pid").GetInt32();
            WaitUntilAsync(() => IsSleeping(pid)).GetAwaiter().GetResult();
            Assert.False(File.Exists(Marker), "the program ran before its handle was stored");
        });

        var result = await backend.StartAsync(Request(), context, CancellationToken.None);
        try
        {
            Assert.Equal(result.Handle, Assert.Single(context.Saved));
            await WaitUntilAsync(() => File.Exists(Marker));
        }
        finally
        {
            await backend.StopAsync(result.Handle, CancellationToken.None);
        }
    }

    [Fact]
    public async Task StartAsync_HandleNotStored_TheProgramNeverRuns()
    {
        var backend = Backend();
        var context = new Context(_ => throw new InvalidOperationException("the database is gone"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => backend.StartAsync(Request(), context, CancellationToken.None));

        // The child waited at the gate and ends by itself, as it does when the Outpost dies at this point.
        var handle = Assert.Single(context.Saved);
        var status = BackendStatus.Running;
        await WaitUntilAsync(async () => (status = await backend.GetStatusAsync(handle, CancellationToken.None)).State == BackendState.Exited);
        Assert.Equal(125, status.ExitCode);
        Assert.False(File.Exists(Marker));
    }

    public void Dispose() => _temp.Dispose();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    /// <summary>Whether process <paramref name="pid"/> is blocked in a wait (state S in /proc/pid/stat).</summary>
    private static bool IsSleeping(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('S');
    }

    private sealed class Context(Action<BackendHandle> onSave) : IStartContext
    {
        public List<BackendHandle> Saved { get; } = [];

        public ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
        {
            Saved.Add(handle);
            onSave(handle);
            return ValueTask.CompletedTask;
        }
    }
}
