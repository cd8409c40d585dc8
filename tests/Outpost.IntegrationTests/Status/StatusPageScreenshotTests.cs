using System.Buffers.Binary;

namespace Outpost.IntegrationTests.Status;

/// <summary>
/// The status page as a browser shows it: fetched with the admin credential, saved as a file (so the browser needs no
/// credential and no network), rendered by headless Chromium into a PNG kept with the test results.
/// </summary>
public sealed class StatusPageScreenshotTests
{
    private const int Width = 1280;
    private const int Height = 1500;

    [Fact]
    public async Task Status_InChromium_ShowsEveryStateAndTheFailure()
    {
        await using var scenario = await StatusScenario.StartAsync();
        await scenario.PopulateAsync();
        using var admin = scenario.AdminClient();
        var html = await admin.GetStringAsync("/status");
        // Self-contained: nothing to load from anywhere, so it looks the same offline.
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain(" src=", html);

        var folder = ResultsFolder();
        var page = Path.Combine(folder, "status-page.html");
        var png = Path.Combine(folder, "status-page.png");
        await File.WriteAllTextAsync(page, html);
        File.Delete(png);
        await HeadlessChromium.ScreenshotAsync(page, png, Width, Height);
        var dom = await HeadlessChromium.DumpDomAsync(page);

        // The browser's DOM holds the message as text, markup and all, and every state's badge.
        Assert.Contains("Job refused: &lt;b&gt;quota&lt;/b&gt; &amp; \"limits\" exceeded on partition gpu", dom);
        foreach (var phase in new[] { "running", "starting", "failed", "stopped" })
        {
            Assert.Contains($">{phase}</span>", dom);
        }
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 20_000, $"{png} is only {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        Assert.Equal(Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    /// <summary>$RESULTS_DIR/status-page (set by scripts/test), else test-results/status-page at the repository's root.</summary>
    private static string ResultsFolder()
    {
        var root = Environment.GetEnvironmentVariable("RESULTS_DIR") is { Length: > 0 } results
            ? results
            : Path.Combine(RepositoryRoot(), "test-results");
        return Directory.CreateDirectory(Path.Combine(root, "status-page")).FullName;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Outpost.slnx")))
            {
                return folder.FullName;
            }
        }
        return AppContext.BaseDirectory;
    }
}
