using System.CommandLine;
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

    /// <summary><c>servers list|show|stop</c> and <c>events</c> alone (as <c>outpost</c> runs them), writing to the given writers.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand();
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }
        var result = CommandLineInvocation.Parse(root, args);
        return result.Errors.Count > 0
            ? CommandLineInvocation.BadUsage(result, error, Usage)
            : await CommandLineInvocation.InvokeAsync(result, output, error);
    }

    public static IEnumerable<Command> Commands()
    {
        var hub = new Option<string>("--hub") { Description = "only this hub's servers", HelpName = "H" };
        var state = new Option<string>("--state") { Description = "only servers in this state", HelpName = "S" };
        var list = WithAction(new Command("list", "servers of every hub (or of H), in state S") { hub, state },
            (client, result, json) => ListAsync(client, result.GetValue(hub), result.GetValue(state), json, Writers(result)));

        var servers = new Command("servers", "servers through the running Outpost's admin socket") { list, ServerCommand("show"), ServerCommand("stop") };

        var eventsHub = new Option<string>("--hub") { Description = "only this hub's events", HelpName = "H" };
        var undelivered = new Option<bool>("--undelivered") { Description = "only events not yet delivered" };
        var events = WithAction(new Command("events", "progress events: waiting, delivered, refused, dropped") { eventsHub, undelivered },
            (client, result, json) => EventsAsync(client, result.GetValue(eventsHub), result.GetValue(undelivered), json, Writers(result)));
        return [servers, events];
    }

    /// <summary><c>servers show|stop HUB NAME [START_ID]</c>.</summary>
    private static Command ServerCommand(string verb)
    {
        var hub = new Argument<string>("HUB");
        var name = new Argument<string>("NAME") { Description = "the server's name ('' names the default server)" };
        var startId = new Argument<string?>("START_ID") { Arity = ArgumentArity.ZeroOrOne };
        var description = verb == "show" ? "one server: state, handle, last events, backlog" : "stop a server as its hub's DELETE does";
        return WithAction(new Command(verb, description) { hub, name, startId },
            (client, result, json) => ServerAsync(client, verb, result.GetValue(hub)!, result.GetValue(name)!, result.GetValue(startId), json, Writers(result)));
    }

    /// <summary>
    /// Adds --socket and --json, and the action: find the socket, send the request. Tokens the command does not know
    /// (<c>--config FILE</c>, <c>--Outpost:DataDir=...</c>) are configuration, read to find the socket.
    /// </summary>
    private static Command WithAction(Command command, Func<AdminClient, ParseResult, bool, Task<int>> send)
    {
        var socketOption = new Option<string>("--socket") { Description = "the admin socket (default: the one in the configured DataDir)", HelpName = "PATH" };
        var json = new Option<bool>("--json") { Description = "print the Outpost's JSON answer" };
        command.Options.Add(socketOption);
        command.Options.Add(json);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, _) =>
        {
            var error = result.InvocationConfiguration.Error;
            var socket = result.GetValue(socketOption) ?? await SocketFromConfigurationAsync([.. result.UnmatchedTokens]);
            if (socket is null)
            {
                error.WriteLine($"outpost: the admin socket is off ({AdminSocket.ConfigurationKey} is empty); name one with --socket PATH.");
                return 1;
            }
            using var client = new AdminClient(Path.GetFullPath(socket));
            try
            {
                return await send(client, result, result.GetValue(json));
            }
            catch (AdminUnavailableException ex)
            {
                return Fail(error, 1, ex.Message);
            }
        });
        return command;
    }

    private static (TextWriter Output, TextWriter Error) Writers(ParseResult result) =>
        (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);

    private static async Task<int> ListAsync(AdminClient client, string? hub, string? state, bool json, (TextWriter Output, TextWriter Error) writers)
    {
        var query = Query(("hub", hub), ("state", state));
        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/servers{query}");
        return Print(status, body, AdminJsonContext.Default.AdminServerArray, AdminOutput.Servers, json, writers);
    }

    private static async Task<int> ServerAsync(AdminClient client, string command, string hub, string name, string? startId, bool json, (TextWriter Output, TextWriter Error) writers)
    {
        var query = Query(("hub", hub), ("name", name), ("start_id", startId));
        if (command == "show")
        {
            var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/server{query}");
            return Print(status, body, AdminJsonContext.Default.AdminServerDetail, AdminOutput.Server, json, writers);
        }
        var (stopStatus, stopBody) = await client.SendAsync(HttpMethod.Post, $"/admin/server/stop{query}");
        return Print(stopStatus, stopBody, AdminJsonContext.Default.AdminServer,
            s => $"Stopped {s.Hub}/{AdminApi.DisplayName(s.Name)}/{s.StartId} (it was {s.Phase}).\n", json, writers);
    }

    private static async Task<int> EventsAsync(AdminClient client, string? hub, bool undelivered, bool json, (TextWriter Output, TextWriter Error) writers)
    {
        var query = Query(("hub", hub), ("undelivered", undelivered ? "true" : null));
        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/admin/events{query}");
        return Print(status, body, AdminJsonContext.Default.AdminEventList, AdminOutput.Events, json, writers);
    }

    /// <summary>Prints an answer: as JSON when asked for, else for a person; an error's message on standard error.</summary>
    private static int Print<T>(int status, string body, JsonTypeInfo<T> type, Func<T, string> render, bool json, (TextWriter Output, TextWriter Error) writers)
    {
        var (output, error) = writers;
        if (status != StatusCodes.Status200OK)
        {
            var message = TryRead(body, AdminJsonContext.Default.AdminError)?.Error ?? $"the Outpost answered HTTP {status}.";
            return Fail(error, 1, message);
        }
        if (json)
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
}
