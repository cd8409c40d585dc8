using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Outpost.Servers;

namespace Outpost.Wire;

/// <summary>
/// Serialization code, generated at compile time, for every body the HTTP API sends or reads (ASP.NET Core's web
/// defaults: camelCase unless a property names itself). Registered for the minimal APIs in AddOutpost; bodies the
/// Outpost writes itself go through <see cref="WireJson"/>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerSummary[]))]
[JsonSerializable(typeof(ServersApi.PollResponse))]
[JsonSerializable(typeof(ServersApi.StopResponse))]
[JsonSerializable(typeof(WireError))]
[JsonSerializable(typeof(ValidationProblem))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
