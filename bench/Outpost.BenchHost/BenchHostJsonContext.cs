using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Bench.Hosts;

/// <summary>Compile-time serialization code for the bodies the bench's own routes send and read (Native AOT has no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PollAnswer))]
[JsonSerializable(typeof(RuntimeCounters))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class BenchHostJsonContext : JsonSerializerContext;
