namespace Outpost.Backends;

/// <summary>The outcome of a successful start.</summary>
/// <param name="Handle">Final handle to persist.</param>
/// <param name="ServiceAddress">
/// Where the hub reaches the server, as the wire's <c>service</c> field: "host:port", a URL, or empty
/// when the server reports its address later (delayed tunnelling).
/// </param>
public sealed record BackendStartResult(BackendHandle Handle, string ServiceAddress);
