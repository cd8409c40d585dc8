using System.Text.Json;
using System.Text.Json.Serialization;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>
/// Serialization code for the stored server spec, generated at compile time with the web defaults it has always been
/// stored with (camelCase), so existing rows read back unchanged.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerSpec))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
