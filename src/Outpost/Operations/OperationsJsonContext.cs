using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Operations;

/// <summary>Serialization code, generated at compile time, for the bodies of the operations routes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class OperationsJsonContext : JsonSerializerContext;
