using System.Globalization;

namespace Outpost.Bench;

/// <summary>The bench's command line. Defaults keep a whole run under about ten minutes.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: Outpost.Bench [options]     (scripts/bench builds it and passes these through)

          --results FILE            write the Markdown report here (default: only print it)
          --chain-results FILE      P6 results written by bench/chain/run --json FILE (scripts/bench runs it when it exists)
          --runs N                  runs (rounds) of every measurement; figures are medians (default 3)
          --servers N               running servers to poll for P1 (default 1000)
          --connections A,B         keep-alive connections per poll run (default 16,64)
          --duration SECONDS        length of each measured poll run (default 8)
          --warmup SECONDS          unmeasured run before each measured one (default 2)
          --breakdown-duration S    length of each run of the poll breakdown, at the most connections (default 4)
          --instant-iterations N    starts+stops per run with the instant backend, P2 (default 200)
          --burst N                 concurrent sync starts, P3 (default 200)
          --burst-delay-ms N        the instant backend's time per start in P3 (default 1000)
          --memory-servers A,B      running servers for P4 and P5 (default 1000,10000)
          --local-iterations N      starts+stops with the local-process backend and directly (default 30)
          --profile-iterations N    calls per step of the poll-path profile (default 3000)
          --generator auto|wrk|dotnet   load generator; auto = wrk when installed (default auto)
          --wrk-threads N           wrk threads (default 1: on 2 cores a second wrk thread takes CPU from the server)
          --outpost-log-level LEVEL     log level of the Outpost (default: the product's appsettings.json)
          --host-exe PATH           the Native AOT publish of bench/Outpost.BenchHost to measure (scripts/bench passes it)
          --jit                     measure the JIT build under `dotnet exec` instead (the runtime before Native AOT)
          --quick                   short smoke run (1 s runs, 1 round, few servers and iterations)

        P11 (scripts/bench --only P11; as root, for Podman): P1-P5 on the Spawner and Container backends next to the Local
        backend, instead of P1-P6; it rewrites only its own section and summary rows of --results.
          --p11                     run P11
          --p11-servers N           running servers per backend for P1, P4 and P5 (default 100)
          --p11-iterations N        single starts and stops per backend, P2 (default 20)
          --p11-burst N             concurrent sync starts per backend, P3 (default 50)
          --p11-restarts N          restarts per backend, P5 (default 3)
          --p11-no-containers       leave the Container backend out (no Podman)
          --p11-command TEXT        the command line to name in the report (scripts/bench passes its own)
        """;

    public string? ResultsFile { get; init; }
    public string? ChainResultsFile { get; init; }
    public int Runs { get; init; } = 3;
    public int Servers { get; init; } = 1000;
    public IReadOnlyList<int> Connections { get; init; } = [16, 64];
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(8);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan BreakdownDuration { get; init; } = TimeSpan.FromSeconds(4);
    public int InstantIterations { get; init; } = 200;
    public int Burst { get; init; } = 200;
    public TimeSpan BurstDelay { get; init; } = TimeSpan.FromSeconds(1);
    public IReadOnlyList<int> MemoryServers { get; init; } = [1000, 10000];
    public int LocalIterations { get; init; } = 30;
    public int ProfileIterations { get; init; } = 3000;
    public string Generator { get; init; } = "auto";
    public int WrkThreads { get; init; } = 1;
    public string? LogLevel { get; init; }
    public bool Quick { get; init; }
    public string? HostExecutable { get; init; }
    public bool Jit { get; init; }
    public bool P11 { get; init; }
    public int P11Servers { get; init; } = 100;
    public int P11Iterations { get; init; } = 20;
    public int P11Burst { get; init; } = 50;
    public int P11Restarts { get; init; } = 3;
    public bool P11Containers { get; init; } = true;
    public string P11Command { get; init; } = "scripts/bench --only P11";

    /// <summary>How the measured processes run, for the report.</summary>
    public string Runtime => HostExecutable is null ? "JIT (dotnet exec)" : "Native AOT";

    /// <summary>Parses the arguments; null (after printing why) when they are not valid.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter errors)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--quick")
            {
                options = options with
                {
                    Quick = true, Duration = TimeSpan.FromSeconds(1), BreakdownDuration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(1),
                    Runs = 1, Servers = 100, InstantIterations = 20, Burst = 50, MemoryServers = [100, 500], LocalIterations = 5, ProfileIterations = 300,
                    P11Servers = 10, P11Iterations = 5, P11Burst = 10, P11Restarts = 1,
                };
                continue;
            }
            if (name is "--p11" or "--p11-no-containers")
            {
                options = name == "--p11" ? options with { P11 = true } : options with { P11Containers = false };
                continue;
            }
            if (name == "--jit")
            {
                options = options with { HostExecutable = null, Jit = true };
                continue;
            }
            if (name is "--help" or "-h" || i + 1 >= args.Length)
            {
                errors.WriteLine(name is "--help" or "-h" ? Usage : $"{name} needs a value.\n{Usage}");
                return null;
            }
            var value = args[++i];
            try
            {
                options = name switch
                {
                    "--results" => options with { ResultsFile = Path.GetFullPath(value) },
                    "--chain-results" => options with { ChainResultsFile = Path.GetFullPath(value) },
                    "--runs" or "--rounds" => options with { Runs = Positive(value) },
                    "--servers" => options with { Servers = Positive(value) },
                    "--connections" => options with { Connections = [.. value.Split(',').Select(Positive)] },
                    "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(value)) },
                    "--breakdown-duration" => options with { BreakdownDuration = TimeSpan.FromSeconds(Positive(value)) },
                    "--warmup" => options with { Warmup = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--instant-iterations" => options with { InstantIterations = Positive(value) },
                    "--burst" => options with { Burst = Positive(value) },
                    "--burst-delay-ms" => options with { BurstDelay = TimeSpan.FromMilliseconds(Positive(value)) },
                    "--memory-servers" => options with { MemoryServers = [.. value.Split(',').Select(Positive)] },
                    "--local-iterations" => options with { LocalIterations = Positive(value) },
                    "--profile-iterations" => options with { ProfileIterations = Positive(value) },
                    "--generator" when value is "auto" or "wrk" or "dotnet" => options with { Generator = value },
                    "--wrk-threads" => options with { WrkThreads = Positive(value) },
                    "--outpost-log-level" => options with { LogLevel = value },
                    "--p11-servers" => options with { P11Servers = Positive(value) },
                    "--p11-iterations" => options with { P11Iterations = Positive(value) },
                    "--p11-burst" => options with { P11Burst = Positive(value) },
                    "--p11-restarts" => options with { P11Restarts = Positive(value) },
                    "--p11-command" => options with { P11Command = value },
                    "--host-exe" => options.Jit ? options : options with { HostExecutable = Path.GetFullPath(value) },
                    _ => throw new FormatException($"unknown option or value: {name} {value}"),
                };
            }
            catch (FormatException ex)
            {
                errors.WriteLine($"{ex.Message}\n{Usage}");
                return null;
            }
        }
        return options;
    }

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new FormatException($"'{value}' is not a positive whole number");
}
