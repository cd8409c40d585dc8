using System.Security.Cryptography;

namespace Outpost.Replicas;

/// <summary>
/// Who this Outpost process is among its replicas: host name, process id and a random suffix, new for
/// every process, so a restarted replica never mistakes the leases or servers of its previous life for its own.
/// </summary>
public sealed record ReplicaIdentity(string Id)
{
    public static ReplicaIdentity Create() =>
        new($"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    public override string ToString() => Id;
}
