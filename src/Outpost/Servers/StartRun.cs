using System.Text.Json.Nodes;
using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>One stored start: what it starts, with what, when it was asked for (a timestamp), and the last progress event it recorded.</summary>
internal sealed record StartRun(
    ServerRecord Record, ServerSpec Spec, IBackend Backend, IReadOnlyDictionary<string, string> AuthState, JsonObject? Flavor, bool Synchronous, long RequestedAt)
{
    public long? LastEventId { get; private set; }

    public void Progress(long? eventId) => LastEventId = eventId ?? LastEventId;
}
