using System.CommandLine;

namespace Outpost.Hosting;

/// <summary>
/// The arguments a command hands on to the configuration: <c>--config FILE</c> (and for <c>serve</c>,
/// <c>--urls URL</c>) plus every token the command does not know (<c>--Outpost:DataDir=/srv</c>, <c>--Outpost:BasePath /x</c>).
/// </summary>
internal sealed class ConfigurationArguments
{
    private readonly Option<string> _config = new("--config") { Description = "configuration file (JSON or YAML); also OUTPOST_CONFIG", HelpName = "FILE" };
    private readonly Option<string>? _urls;

    private ConfigurationArguments(Command command, bool withUrls)
    {
        // Configuration keys are open-ended, so tokens the parser does not know are configuration, not errors.
        command.TreatUnmatchedTokensAsErrors = false;
        command.Options.Add(_config);
        if (withUrls)
        {
            _urls = new Option<string>("--urls") { Description = "where the HTTP API listens, e.g. http://0.0.0.0:8080", HelpName = "URL" };
            command.Options.Add(_urls);
        }
    }

    public static ConfigurationArguments AddTo(Command command, bool withUrls = false) => new(command, withUrls);

    public string[] From(ParseResult result)
    {
        var args = new List<string>();
        if (result.GetValue(_config) is { } config)
        {
            args.AddRange(["--config", config]);
        }
        if (_urls is not null && result.GetValue(_urls) is { } urls)
        {
            args.AddRange(["--urls", urls]);
        }
        args.AddRange(result.UnmatchedTokens);
        return [.. args];
    }
}
