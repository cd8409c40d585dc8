using System.Diagnostics;

namespace Outpost.IntegrationTests;

/// <summary>
/// How tests start a real Outpost process: the published Native AOT binary when <c>OUTPOST_EXECUTABLE</c> names one
/// (scripts/test sets it, so these tests run what ships), otherwise the build next to the tests, under <c>dotnet</c>.
/// </summary>
internal static class OutpostExecutable
{
    public static string? Native => Environment.GetEnvironmentVariable("OUTPOST_EXECUTABLE") is { Length: > 0 } path ? path : null;

    /// <summary>A start for <c>outpost ARGS</c> with standard output and error redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo(Native ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Native is null)
        {
            startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Outpost.dll"));
        }
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }
        return startInfo;
    }
}
