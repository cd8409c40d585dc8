namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One request the fake received (with its Authorization header, if any).</summary>
public sealed record FakeRequest(string Method, string Path, string Query, string Verb, string Resource, string? Authorization = null);
