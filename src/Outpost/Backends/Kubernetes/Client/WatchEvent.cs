namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// One line of a watch stream: <c>{"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR", "object": {...}}</c>.
/// ERROR events never reach callers of the client; they become a <c>KubeApiException</c>.
/// </summary>
public sealed record WatchEvent<T>
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";

    public string? Type { get; set; }

    public T? Object { get; set; }
}
