using System.Text.Json.Nodes;
using Outpost.Servers;

namespace Outpost.Backends;

/// <summary>Everything a backend needs to start one server.</summary>
/// <param name="Key">Hub, server name and start id.</param>
/// <param name="Spec">What the hub asked for, already checked against the hub's policy.</param>
/// <param name="ResourceName">
/// A name for resources the backend creates (pod, job, folder): a DNS-label-safe slug that is unique per
/// hub, user, server and start, so two hubs with the same user never collide.
/// </param>
/// <param name="WorkDirectory">A private folder (mode 0700) for this server's files, created by the caller.</param>
/// <param name="Flavor">The flavor's definition the start was admitted with (null without flavors), as a spawner's <c>flavor</c>.</param>
/// <param name="AuthState">
/// The user's auth state from the hub's <c>auth-state-*</c> headers (memory only, never stored), for backends that act
/// with the user's own credentials; empty when the hub sent none.
/// </param>
public sealed record BackendStartRequest(
    ServerKey Key, ServerSpec Spec, string ResourceName, string WorkDirectory, IReadOnlyDictionary<string, string>? AuthState = null, JsonObject? Flavor = null);
