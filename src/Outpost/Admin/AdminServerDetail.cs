namespace Outpost.Admin;

/// <summary>
/// One server as <c>outpost servers show</c> shows it: its stored state, its backend handle with secrets masked,
/// its latest progress events with what became of them, and how many of its events still wait for its hub.
/// </summary>
public sealed record AdminServerDetail(
    AdminServer Server,
    long UserId,
    string ResourceName,
    DateTimeOffset? EndDate,
    int? ExitCode,
    string? Error,
    string? Owner,
    string? Handle,
    IReadOnlyList<AdminEvent> Events,
    int Waiting);
