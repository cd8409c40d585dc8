using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Admin;

/// <summary>Serialization code for the admin channel, generated at compile time; the service and the command line share it.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminServer[]))]
[JsonSerializable(typeof(AdminServerDetail))]
[JsonSerializable(typeof(AdminEventList))]
[JsonSerializable(typeof(AdminError))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
