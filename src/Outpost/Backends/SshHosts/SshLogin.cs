namespace Outpost.Backends.SshHosts;

/// <summary>One way into a host: address, port, account, key and the known_hosts file its host key is checked against.</summary>
public sealed record SshLogin(string Address, int Port, string Account, string KeyFile, string KnownHostsFile);
