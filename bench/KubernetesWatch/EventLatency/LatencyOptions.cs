using System.Globalization;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>Command line of the P7 bench (<c>p7 --help</c>).</summary>
internal sealed record LatencyOptions
{
    public int Pods { get; init; } = 5000;
    public int Starting { get; init; } = 200;
    public double Rate { get; init; } = 400;
    public int Rounds { get; init; } = 3;
    public string? Outpost { get; init; }
    public string? Results { get; init; }
    public string? Json { get; init; }
    public bool Keep { get; init; }
    public IReadOnlyList<string> Settings { get; init; } = [];

    public const string Help = """
        P7: a pod event's way from the API server's watch to the hub's events handler, through the real Outpost.
          --pods N       servers started first and kept running, so the watch holds N pods (5000)
          --starting M   servers started at once per round, whose pods then get their events (200)
          --rate R       pod events the fake API server writes per second during a round (400)
          --rounds K     measured rounds; the summary takes the median (3)
          --outpost EXE  the Outpost executable (default: $OUTPOST_EXECUTABLE, else artifacts/outpost/Outpost)
          --results FILE write the P7 section of this RESULTS.md
          --json FILE    write the figures as JSON
          --keep         keep the Outpost's data directory and log
          --set KEY=VAL  one more Outpost setting (e.g. Outpost:Events:Parallelism=16); may repeat
        """;

    public static LatencyOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LatencyOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--pods" => options with { Pods = Positive("--pods", Next()) },
                "--starting" => options with { Starting = Positive("--starting", Next()) },
                "--rate" => options with { Rate = Positive("--rate", Next()) },
                "--rounds" => options with { Rounds = Positive("--rounds", Next()) },
                "--outpost" => options with { Outpost = Next() },
                "--results" => options with { Results = Next() },
                "--json" => options with { Json = Next() },
                "--keep" => options with { Keep = true },
                "--set" => options with { Settings = [.. options.Settings, Next()] },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Help}"),
            };
        }
        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} must be a positive whole number, not '{value}'");
}
