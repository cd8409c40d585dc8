using System.Diagnostics;

namespace Outpost.IntegrationTests.Status;

/// <summary>
/// Debian's <c>chromium</c> run headless on a local file: a screenshot, or the DOM as the browser built it. Each run
/// has its own profile folder and no network to speak of (the pages it is given fetch nothing).
/// </summary>
public static class HeadlessChromium
{
    public static string Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed; scripts/install-deps installs Debian's chromium package.");

    public static Task ScreenshotAsync(string page, string png, int width, int height) =>
        RunAsync(page, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");

    public static Task<string> DumpDomAsync(string page) => RunAsync(page, "--dump-dom");

    private static async Task<string> RunAsync(string page, params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("outpost-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--force-device-scale-factor=1", $"--user-data-dir={profile.FullName}",
            }.Concat(arguments).Append(new Uri(page).AbsoluteUri))
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within 60 s: {await errors}");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await errors}");
            }
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
