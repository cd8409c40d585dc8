using System.CommandLine;
using Outpost.Hosting;
using Outpost.Processes;

namespace Outpost.Tests.Hosting;

/// <summary>How the command tree parses: commands found, their own options taken, the rest handed to configuration.</summary>
public sealed class OutpostCommandLineTests
{
    [Fact]
    public void Configuration_arguments_keep_every_unknown_token_in_order_and_never_expand_response_files()
    {
        var command = new Command("serve");
        var configuration = ConfigurationArguments.AddTo(command, withUrls: true);

        var result = CommandLineInvocation.Parse(command, ["--config=/etc/outpost.yaml", "--Outpost:DataDir=/srv", "--Outpost:BasePath", "/x", "@not-a-file", "--urls", "http://127.0.0.1:1"]);

        Assert.Empty(result.Errors);
        Assert.Equal(["--config", "/etc/outpost.yaml", "--urls", "http://127.0.0.1:1", "--Outpost:DataDir=/srv", "--Outpost:BasePath", "/x", "@not-a-file"], configuration.From(result));
    }

    [Theory]
    [InlineData("check --hub=http://hub:8000 --Outpost:DataDir=/d", "check")]
    [InlineData("servers show hub1 alice 7 --json", "show")]
    [InlineData("tunnels serve --state-dir /s", "serve")]
    [InlineData("hub add teaching --config /etc/o.json", "add")]
    public void Commands_are_found_with_their_arguments(string line, string command)
    {
        var result = CommandLineInvocation.Parse(OutpostCommandLine.Root(), line.Split(' '));

        Assert.Empty(result.Errors);
        Assert.Equal(command, result.CommandResult.Command.Name);
    }

    [Fact]
    public void The_default_server_is_named_by_an_empty_argument()
    {
        var result = CommandLineInvocation.Parse(OutpostCommandLine.Root(), ["servers", "stop", "hub1", ""]);

        Assert.Empty(result.Errors);
        Assert.Equal(["hub1", ""], result.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>().Select(a => a.GetValueOrDefault<string>()).Take(2));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bogus")]
    [InlineData("hub")]
    [InlineData("servers delete")]
    public void Without_a_command_the_usage_goes_to_standard_error_with_exit_code_2(string line)
    {
        var result = CommandLineInvocation.Parse(OutpostCommandLine.Root(), line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var error = new StringWriter();

        Assert.NotEmpty(result.Errors);
        Assert.Equal(2, CommandLineInvocation.BadUsage(result, error, "Usage: outpost"));
        Assert.Equal("Usage: outpost" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void A_command_with_a_missing_value_names_the_option_with_exit_code_2()
    {
        var result = CommandLineInvocation.Parse(OutpostCommandLine.Root(), ["check", "--hub"]);
        var error = new StringWriter();

        Assert.Equal(2, CommandLineInvocation.BadUsage(result, error, "Usage: outpost"));
        Assert.StartsWith("outpost: ", error.ToString());
        Assert.Contains("--hub", error.ToString());
    }
}
