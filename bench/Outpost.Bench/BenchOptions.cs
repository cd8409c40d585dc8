using System.Globalization;

namespace Outpost.Bench;

/// <summary>The bench's command line. Defaults keep a whole run under about two minutes.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: Outpost.Bench [options]     (scripts/bench builds it and passes these through)

          --results FILE            write the Markdown report here (default: only print it)
          --servers N               running servers to poll (default 300)
          --connections A,B         keep-alive connections per poll run (default 16,64)
          --duration SECONDS        length of each measured poll run (default 8)
          --warmup SECONDS          unmeasured run before each measured one (default 2)
          --breakdown-duration S    length of each run of the poll breakdown, at the most connections (default 4)
          --rounds N                rounds of bare + Outpost poll runs; the report takes medians (default 2)
          --instant-iterations N    starts+stops with the instant backend (default 200)
          --local-iterations N      starts+stops with the local-process backend and directly (default 30)
          --profile-iterations N    calls per step of the poll-path profile (default 3000)
          --generator auto|wrk|dotnet   load generator; auto = wrk when installed (default auto)
          --outpost-log-level LEVEL     log level of the Outpost and the bare endpoint (default Warning)
          --quick                   short smoke run (1 s runs, 1 round, few iterations)
        """;

    public string? ResultsFile { get; init; }
    public int Servers { get; init; } = 300;
    public IReadOnlyList<int> Connections { get; init; } = [16, 64];
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(8);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan BreakdownDuration { get; init; } = TimeSpan.FromSeconds(4);
    public int Rounds { get; init; } = 2;
    public int InstantIterations { get; init; } = 200;
    public int LocalIterations { get; init; } = 30;
    public int ProfileIterations { get; init; } = 3000;
    public string Generator { get; init; } = "auto";
    public string LogLevel { get; init; } = "Warning";

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
                    Duration = TimeSpan.FromSeconds(1), BreakdownDuration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(1), Rounds = 1, Servers = 50,
                    InstantIterations = 20, LocalIterations = 5, ProfileIterations = 300,
                };
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
                    "--servers" => options with { Servers = Positive(value) },
                    "--connections" => options with { Connections = [.. value.Split(',').Select(Positive)] },
                    "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(value)) },
                    "--breakdown-duration" => options with { BreakdownDuration = TimeSpan.FromSeconds(Positive(value)) },
                    "--warmup" => options with { Warmup = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                    "--rounds" => options with { Rounds = Positive(value) },
                    "--instant-iterations" => options with { InstantIterations = Positive(value) },
                    "--local-iterations" => options with { LocalIterations = Positive(value) },
                    "--profile-iterations" => options with { ProfileIterations = Positive(value) },
                    "--generator" when value is "auto" or "wrk" or "dotnet" => options with { Generator = value },
                    "--outpost-log-level" => options with { LogLevel = value },
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
