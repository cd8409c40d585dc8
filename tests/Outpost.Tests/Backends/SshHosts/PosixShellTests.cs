using System.Diagnostics;
using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

/// <summary>Quoting, checked by the shells that read it: dash (Debian's /bin/sh) and bash give the value back unchanged.</summary>
public sealed class PosixShellTests
{
    public static TheoryData<string> HostileValues() =>
    [
        "",
        "plain",
        "it's",
        "'",
        "''",
        "'\\''",
        "$(touch /tmp/outpost-quote-marker)",
        "`touch /tmp/outpost-quote-marker`",
        "a\nb\n",
        "\n'; touch /tmp/outpost-quote-marker; '\n",
        "x; touch /tmp/outpost-quote-marker",
        "  spaces\tand tab  ",
        "\"double\" \\backslash\\ $HOME ${HOME} !history *glob ?",
        "ünïcødé ☃",
    ];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void Quote_IsReadBackLiterally_ByDashAndBash(string value)
    {
        foreach (var shell in new[] { "/bin/dash", "/bin/bash" })
        {
            Assert.Equal(value, Run(shell, $"printf '%s' {PosixShell.Quote(value)}"));
        }
        Assert.False(File.Exists("/tmp/outpost-quote-marker"));
    }

    [Fact]
    public void Quote_RefusesNul()
    {
        Assert.Throws<ArgumentException>(() => PosixShell.Quote("a\0b"));
    }

    [Theory]
    [InlineData("JUPYTERHUB_USER", true)]
    [InlineData("_x1", true)]
    [InlineData("1X", false)]
    [InlineData("A-B", false)]
    [InlineData("A B", false)]
    [InlineData("A=B", false)]
    [InlineData("A\n", false)]
    [InlineData("$(x)", false)]
    [InlineData("", false)]
    public void IsVariableName_AcceptsOnlyShellIdentifiers(string name, bool expected)
    {
        Assert.Equal(expected, PosixShell.IsVariableName(name));
    }

    internal static string Run(string shell, string script)
    {
        var start = new ProcessStartInfo(shell);
        start.ArgumentList.Add("-s");
        return Run(start, script);
    }

    /// <summary>Runs <paramref name="start"/> with <paramref name="script"/> on its stdin; what it printed.</summary>
    internal static string Run(ProcessStartInfo start, string script)
    {
        start.RedirectStandardInput = start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
