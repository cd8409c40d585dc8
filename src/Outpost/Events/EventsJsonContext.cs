using System.Text.Json.Serialization;

namespace Outpost.Events;

/// <summary>Serialization code for the progress events sent to hubs, generated at compile time.</summary>
[JsonSerializable(typeof(ProgressEvent))]
internal sealed partial class EventsJsonContext : JsonSerializerContext;
