using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Tunnels;

/// <summary>Compile-time serialization for the tunnel API and its state file (Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(TunnelRequest))]
[JsonSerializable(typeof(Dictionary<string, TunnelRequest>))]
[JsonSerializable(typeof(TunnelStatus))]
[JsonSerializable(typeof(TunnelStatus[]))]
[JsonSerializable(typeof(TunnelError))]
internal sealed partial class TunnelJsonContext : JsonSerializerContext;

/// <summary>What the API answers about one forward.</summary>
public sealed record TunnelStatus(string ServerId, string ForwardSpec, string SshNode, int SshPort, bool Healthy, int Failures);

/// <summary>An error answer; <c>Field</c> names the refused input.</summary>
public sealed record TunnelError(string Error, string? Field);
