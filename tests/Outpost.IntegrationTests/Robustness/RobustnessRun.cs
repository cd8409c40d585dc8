using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// How long and from which seed the suite runs. <c>OUTPOST_ROBUSTNESS_SCALE</c> multiplies every count (default 1,
/// sized for about a minute on two cores); <c>OUTPOST_ROBUSTNESS_SEED</c> replays a run (default fixed, so runs are
/// reproducible; every test prints the seed it used).
/// </summary>
/// <remarks>
/// Batches are drawn from FsCheck generators with an explicit <see cref="Rnd"/> (batch i uses seed + i) instead of
/// <c>Check.One</c>: the runner stops at the first failing batch and shrinks by re-sending requests to a server whose
/// state the earlier attempts changed, while here a failure lists every kind of violation with its shortest examples.
/// </remarks>
public static class RobustnessRun
{
    public const ulong DefaultSeed = 20_240_614;

    public static double Scale { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("OUTPOST_ROBUSTNESS_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    public static ulong Seed { get; } =
        ulong.TryParse(Environment.GetEnvironmentVariable("OUTPOST_ROBUSTNESS_SEED"), out var seed) ? seed : DefaultSeed;

    public static int Count(int baseCount) => Math.Max(1, (int)Math.Round(baseCount * Scale));

    /// <summary>Batch <paramref name="index"/> of <paramref name="size"/> values: the same for the same seed.</summary>
    public static T[] Batch<T>(Gen<T> gen, int index, int size)
    {
        // Gen.Sample(gen, numberOfSamples, rnd, genSize); size 30 is FsCheck's usual upper size.
        T[] batch = [.. Gen.Sample(gen, size, new Rnd(Seed + (ulong)index), 30)];
        return batch.Length == size ? batch : throw new InvalidOperationException($"asked for {size} values, got {batch.Length}");
    }

    public static string Describe(string what) =>
        $"{what}: seed {Seed} (OUTPOST_ROBUSTNESS_SEED), scale {Scale} (OUTPOST_ROBUSTNESS_SCALE)";
}
