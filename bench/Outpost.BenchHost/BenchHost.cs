using Outpost.Backends.LocalProcess;
using Outpost.Hosting;

namespace Outpost.Bench.Hosts;

/// <summary>
/// The child processes the bench measures (<c>Outpost.BenchHost outpost|bare ...</c>), each started by the bench
/// (bench/Outpost.Bench/Hosts/ChildProcess.cs), published with Native AOT like the Outpost:
/// <list type="bullet">
/// <item><c>outpost</c>: the real Outpost exactly as <c>outpost serve</c> builds it (<see cref="OutpostApp.Build"/>),
/// plus the bench-only <see cref="InstantBackend"/> as default backend, the local-process backend behind the
/// profile <c>local</c> (<c>--python P [--script S]</c>: the command <c>P S</c>), and the bench's diagnostic routes;
/// more configuration comes through the environment (<c>Outpost__…</c>, P11's Spawner and Container backends). Test-only pieces stay out of the product this way.</item>
/// <item><c>bare</c>: the baseline, a bare ASP.NET Core minimal API (<see cref="BareEndpoint"/>).</item>
/// </list>
/// </summary>
public static class BenchHost
{
    public const string Hub = "bench";
    public const string LocalProfile = "local";

    public static async Task<int> RunAsync(string[] args)
    {
        var kind = args.Length > 0 ? args[0] : "";
        var options = Options(args.Skip(1).ToArray());
        string Get(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"host {kind}: --{name} is required");
        var logLevel = options.GetValueOrDefault("log-level");
        await using var app = kind switch
        {
            "outpost" => BuildOutpost(Get("urls"), Get("data"), Get("password"), logLevel,
                TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("start-delay-ms", "0"), System.Globalization.CultureInfo.InvariantCulture)),
                options.GetValueOrDefault("python"), options.GetValueOrDefault("script")),
            "bare" => BareEndpoint.Build(Get("urls"), logLevel),
            _ => throw new ArgumentException($"unknown host kind '{kind}': outpost or bare"),
        };
        await app.RunAsync();
        return 0;
    }

    private static WebApplication BuildOutpost(string urls, string dataDir, string password, string? logLevel, TimeSpan startDelay, string? python, string? script)
    {
        List<string> args =
        [
            "--urls", urls,
            $"--Outpost:DataDir={dataDir}",
            $"--Outpost:Hubs:{Hub}:Password={password}",
            $"--Outpost:Backends:Default={InstantBackend.BackendName}",
            "--Outpost:Backends:Local:WaitUntilListening=true",
            $"--Outpost:Profiles:{LocalProfile}:Backend=Local",
        ];
        if (logLevel is not null)
        {
            args.Add($"--Logging:LogLevel:Default={logLevel}");
        }
        var app = OutpostApp.Build([.. args], builder =>
        {
            InstantBackend.AddInstantBackend(builder, startDelay);
            builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(BenchHostJsonContext.Default));
            if (python is not null)
            {
                // Set in code, not as Outpost:Backends:Local:Command:0: the configuration binder appends bound
                // items to an array property's default, so that key yields ["jupyterhub-singleuser", python3].
                builder.Services.PostConfigure<LocalProcessBackendOptions>(local =>
                {
                    local.Command = [python];
                    local.Args = script is null ? [] : [script];
                });
            }
        });
        DiagnosticRoutes.Map(app);
        RuntimeCounters.Map(app);
        return app;
    }

    /// <summary>"--name value" pairs.</summary>
    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }
        return options;
    }
}
