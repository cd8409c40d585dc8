using System.Diagnostics;
using System.Globalization;

namespace Outpost.Bench.KubernetesWatch;

/// <summary>Starts this program again with --serve and talks to it over stdin/stdout.</summary>
internal sealed class FakeChild : IAsyncDisposable
{
    private readonly Process _process;

    private FakeChild(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public List<TimeSpan> ProducerTimes { get; } = [];

    public static async Task<FakeChild> StartAsync()
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(FakeChild).Assembly.Location);
        }
        start.ArgumentList.Add("--serve");
        var process = Process.Start(start)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
                    ?? throw new InvalidOperationException("the fake server process exited");
        return new FakeChild(process, new Uri(ready["ready ".Length..]));
    }

    /// <summary>Asks the child to create and run <paramref name="count"/> pods in <paramref name="ns"/>.</summary>
    public async Task GenerateAsync(string ns, int count)
    {
        await _process.StandardInput.WriteLineAsync($"go {ns} {count}");
        await _process.StandardInput.FlushAsync();
        var done = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(5));
        ProducerTimes.Add(TimeSpan.FromMilliseconds(long.Parse(done!["done ".Length..], CultureInfo.InvariantCulture)));
    }

    /// <summary>Lets the queued watch events flow to the clients.</summary>
    public async Task ReleaseAsync()
    {
        await _process.StandardInput.WriteLineAsync("release");
        await _process.StandardInput.FlushAsync();
        await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
