using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Bench.Chain;

/// <summary>
/// P6, measured by <c>bench/chain/run --json PATH</c> (the real chain: JupyterHub, plugin, Outpost, local
/// backend, SSH tunnel) and read here: medians of spawn-to-ready through the Outpost and through
/// JupyterHub's own LocalProcessSpawner running the same command.
/// </summary>
public sealed record ChainResults(
    [property: JsonPropertyName("figure_s")] double FigureSeconds,
    [property: JsonPropertyName("baseline_s")] double BaselineSeconds,
    [property: JsonPropertyName("ratio")] double Ratio,
    [property: JsonPropertyName("target")] double Target,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("notes")] string? Notes)
{
    /// <summary>The results at <paramref name="path"/>, or null with the reason they are not there or not usable.</summary>
    public static (ChainResults? Results, string? Missing) Read(string? path)
    {
        if (path is null)
        {
            return (null, "no --chain-results given");
        }
        if (!File.Exists(path))
        {
            return (null, $"no results at {path} (bench/chain/run absent, not executable, or failed)");
        }
        try
        {
            var results = JsonSerializer.Deserialize<ChainResults>(File.ReadAllText(path));
            return results is { FigureSeconds: > 0, BaselineSeconds: > 0 }
                ? (results, null)
                : (null, $"{path} holds no figure and baseline");
        }
        catch (JsonException ex)
        {
            return (null, $"{path} is not valid: {ex.Message}");
        }
    }
}
