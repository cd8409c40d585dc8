namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One line queued for a watch stream and the resourceVersion of the change it carries (0 for synthetic lines).</summary>
internal readonly record struct FakeWatchLine(string Text, long ResourceVersion);
