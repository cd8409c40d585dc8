namespace Outpost.Admin;

/// <summary>The answer of <c>/admin/events</c>: the latest events, oldest first, and how many still wait in the outbox.</summary>
public sealed record AdminEventList(IReadOnlyList<AdminEvent> Events, int Waiting);
