using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outpost.Operations;
using Outpost.Processes;

namespace Outpost.Tunnels;

/// <summary><c>outpost tunnels serve</c>: runs the tunnel service in the foreground until stopped.</summary>
public static class TunnelServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", "run the tunnel service beside the hub: it owns the SSH forwards "
            + "(HTTP API, bearer token from the file or OUTPOST_TUNNEL_TOKEN)");
        var definition = TunnelServeOptions.Definition.AddTo(serve);
        serve.SetAction((result, _) => RunAsync(result, definition));
        return serve;
    }

    private static async Task<int> RunAsync(ParseResult result, TunnelServeOptions.Definition definition)
    {
        TunnelServeOptions options;
        TunnelToken token;
        try
        {
            options = definition.Read(result, Environment.GetEnvironmentVariable);
            token = TunnelToken.Load(options.TokenFile, Environment.GetEnvironmentVariable);
        }
        catch (TunnelInputException ex)
        {
            Console.Error.WriteLine($"outpost tunnels serve: {ex.Message}");
            return 2;
        }
        Directory.CreateDirectory(options.StateDirectory);
        // Control sockets and known_hosts live here: nobody else may read or plant files in it.
        File.SetUnixFileMode(options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Listen));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ICommandRunner, ProcessCommandRunner>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ISshForwarding>(sp => new OpenSshTunnels(options.SshCommand, options.StateDirectory, sp.GetRequiredService<ICommandRunner>()));
        builder.Services.AddSingleton(new TunnelStateFile(Path.Combine(options.StateDirectory, "tunnels.json")));
        builder.Services.AddSingleton<TunnelManager>();
        builder.Services.AddHostedService<TunnelHealer>();
        var app = builder.Build();
        TunnelApi.Map(app, token);
        app.Logger.LogInformation(LogEvents.TunnelServiceListening, "Tunnel service listening on {Listen}, state in {StateDirectory}", options.Listen, options.StateDirectory);
        await app.RunAsync();
        return 0;
    }
}
