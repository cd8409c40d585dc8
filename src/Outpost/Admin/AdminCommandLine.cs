using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Outpost.Hosting;

namespace Outpost.Admin;

/// <summary>
/// <c>outpost servers list|show|stop</c> and <c>outpost events</c>: requests to the running Outpost through its admin
/// socket, so they act through the service's own use cases (locks, backend, events) and never on the data behind it.
/// </summary>
public static class AdminCommandLine
{
    public const string Usage = """
          servers list [--hub H] [--state S] [--json]   servers of every hub (or of H), in state S
          servers show HUB NAME [START_ID] [--json]     one server: state, handle, last events, backlog ('' names the default server)
          servers stop HUB NAME [START_ID]              stop a server as its hub's DELETE does
          events [--hub H] [--undelivered] [--json]     progress events: waiting, delivered, refused, dropped
            (each of these takes --socket PATH; default: the admin socket in the configured DataDir)
        """;

    public static bool Handles(string[] args) => args.Length > 0 && (args[0] == "events" || (args[0] == "servers" && args.Length > 1 && args[1] is "list" or "show" or "stop"));

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var command = args[0] == "events" ? "events" : args[1];
        var rest = args[0] == "events" ? args[1..] : args[2..];
        var options = Options.Parse(rest, flags: ["--json", "--undelivered"], valued: ["--hub", "--state", "--socket"]);
        if (options.Error is { } usage)
        {
            error.WriteLine($"outpost: {usage}");
            return 2;
        }
        var socket = options.Get("--socket") ?? await SocketFromConfigurationAsync(options.Remaining);
        if (socket is null)
        {
            error.WriteLine($"outpost: the admin socket is off ({AdminSocket.ConfigurationKey} is empty); name one with --socket PATH.");
            return 1;
        }
        using var client = new AdminClient(Path.GetFullPath(socket));
        try
        {
            return command switch
            {
                "list" => await ListAsync(client, options, output, error),
                "show" or "stop" when options.Positional.Count is 2 or 3 => await ServerAsync(client, command, options, output, error),
                "events" => await EventsAsync(client, options, output, error),
                _ => Fail(error, 2, $"give the server as HUB NAME [START_ID]: outpost servers {command} hub1 alice"),
            };
        }
        catch (AdminUnavailableException ex)
        {
            return Fail(error, 1, ex.Message);
        }
    }

    private static async Task<int> ListAsync(AdminClient client, Options options, TextWriter output, TextWriter error)
    {
        var query = Query(("hub", options.Get("--hub")), ("state", options.Get("--state")));
        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/servers{query}");
        return Print(status, body, AdminJsonContext.Default.AdminServerArray, AdminOutput.Servers, options, output, error);
    }

    private static async Task<int> ServerAsync(AdminClient client, string command, Options options, TextWriter output, TextWriter error)
    {
        var p = options.Positional;
        var query = Query(("hub", p[0]), ("name", p[1]), ("start_id", p.Count > 2 ? p[2] : null));
        if (command == "show")
        {
            var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/server{query}");
            return Print(status, body, AdminJsonContext.Default.AdminServerDetail, AdminOutput.Server, options, output, error);
        }
        var (stopStatus, stopBody) = await client.SendAsync(HttpMethod.Post, $"/admin/server/stop{query}");
        return Print(stopStatus, stopBody, AdminJsonContext.Default.AdminServer,
            s => $"Stopped {s.Hub}/{AdminApi.DisplayName(s.Name)}/{s.StartId} (it was {s.Phase}).\n", options, output, error);
    }

    private static async Task<int> EventsAsync(AdminClient client, Options options, TextWriter output, TextWriter error)
    {
        var query = Query(("hub", options.Get("--hub")), ("undelivered", options.Has("--undelivered") ? "true" : null));
        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/events{query}");
        return Print(status, body, AdminJsonContext.Default.AdminEventList, AdminOutput.Events, options, output, error);
    }

    /// <summary>Prints an answer: as JSON when asked for, else for a person; an error's message on standard error.</summary>
    private static int Print<T>(int status, string body, JsonTypeInfo<T> type, Func<T, string> render, Options options, TextWriter output, TextWriter error)
    {
        if (status != StatusCodes.Status200OK)
        {
            var message = TryRead(body, AdminJsonContext.Default.AdminError)?.Error ?? $"the Outpost answered HTTP {status}.";
            return Fail(error, 1, message);
        }
        if (options.Has("--json"))
        {
            output.WriteLine(body);
        }
        else
        {
            output.Write(render(JsonSerializer.Deserialize(body, type)!));
        }
        return 0;
    }

    private static T? TryRead<T>(string body, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static int Fail(TextWriter error, int exitCode, string message)
    {
        error.WriteLine($"outpost: {message}");
        return exitCode;
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    /// <summary>The socket the configuration names, read as <c>outpost serve</c> reads it (file, environment, command line).</summary>
    private static async Task<string?> SocketFromConfigurationAsync(string[] configurationArgs)
    {
        await using var app = OutpostApp.Build(configurationArgs);
        return AdminSocket.PathFrom(app.Configuration);
    }

    /// <summary>The command's own options; what is left (<c>--config FILE</c>, <c>--Outpost:DataDir=...</c>) is configuration.</summary>
    private sealed record Options(Dictionary<string, string?> Values, List<string> Positional, string[] Remaining, string? Error)
    {
        public string? Get(string name) => Values.GetValueOrDefault(name);

        public bool Has(string name) => Values.ContainsKey(name);

        public static Options Parse(string[] args, string[] flags, string[] valued)
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            var positional = new List<string>();
            var remaining = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                var (name, inline) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
                if (flags.Contains(name))
                {
                    values[name] = null;
                }
                else if (valued.Contains(name))
                {
                    if (inline is null && i + 1 >= args.Length)
                    {
                        return new Options(values, positional, [], $"{name} needs a value.");
                    }
                    values[name] = inline ?? args[++i];
                }
                else if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    remaining.Add(args[i]);
                    if (inline is null && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        remaining.Add(args[++i]);
                    }
                }
                else
                {
                    positional.Add(args[i]);
                }
            }
            return new Options(values, positional, [.. remaining], null);
        }
    }
}
