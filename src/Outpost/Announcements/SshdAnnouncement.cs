namespace Outpost.Announcements;

/// <summary>One announcement: the hub <paramref name="Hub"/> is told at <paramref name="Url"/>, with <paramref name="Token"/>.</summary>
public sealed record SshdAnnouncement(string Hub, string Url, string Token);
