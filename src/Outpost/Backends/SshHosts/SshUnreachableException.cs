namespace Outpost.Backends.SshHosts;

/// <summary>ssh could not reach or log in to a host (or did not answer in time): the host, not the server, failed.</summary>
public sealed class SshUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
