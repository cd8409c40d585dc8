namespace Outpost.Tunnels;

/// <summary>
/// What <see cref="TunnelManager"/> needs from ssh: add a forward (starting its master), tell whether it works,
/// cancel it, end a master. <see cref="OpenSshTunnels"/> is the real one; unit tests use an in-memory fake.
/// </summary>
public interface ISshForwarding
{
    /// <summary>Adds the forward to its master, starting the master if none answers; <see cref="TunnelSshException"/> if ssh fails.</summary>
    Task ForwardAsync(TunnelSpec spec, CancellationToken cancellationToken);

    /// <summary>True when the master answers and the local end of the forward accepts connections.</summary>
    Task<bool> WorksAsync(TunnelSpec spec, CancellationToken cancellationToken);

    Task CancelAsync(TunnelSpec spec, CancellationToken cancellationToken);

    Task ExitMasterAsync(TunnelSpec spec, CancellationToken cancellationToken);
}
