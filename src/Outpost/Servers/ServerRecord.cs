using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>A server as stored. The spec stays encrypted until someone needs it (<see cref="Storage.ServerSpecCodec"/>).</summary>
public sealed record ServerRecord
{
    public long Id { get; init; }
    public required ServerKey Key { get; init; }
    public required string UserName { get; init; }
    public long UserId { get; init; }
    public required string Backend { get; init; }
    public string? Flavor { get; init; }
    public required string ResourceName { get; init; }
    public ServerPhase Phase { get; init; }
    public required byte[] ProtectedSpec { get; init; }
    public BackendHandle? Handle { get; init; }
    public string? ServiceAddress { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public DateTimeOffset LastUpdate { get; init; }
}
