using System.Text.Json.Serialization;

namespace Outpost.Backends.Batch;

/// <summary>Serialization code for the batch job handle (generated at compile time, default options).</summary>
[JsonSerializable(typeof(BatchJobHandle))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
