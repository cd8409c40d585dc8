using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// Leader election on a coordination.k8s.io Lease, as client-go's leaselock does: whoever holds an unexpired lease
/// may act; a holder renews it; anyone may take it over once it has expired. Updates carry the resourceVersion, so two
/// replicas racing for it cannot both win.
/// </summary>
public sealed class KubeLeaseLock(IKubeApi client, string ns, string name, string identity, TimeSpan duration, TimeProvider time)
{
    public string Identity => identity;

    /// <summary>True when this identity holds the lease after the call (taken, renewed or newly created).</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var seconds = (int)Math.Ceiling(duration.TotalSeconds);
        var lease = await client.GetAsync<V1Lease>(ns, name, cancellationToken);
        try
        {
            if (lease is null)
            {
                await client.CreateAsync(ns, new V1Lease
                {
                    ApiVersion = KubeResource.Leases.ApiVersion,
                    Kind = KubeResource.Leases.Kind,
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1LeaseSpec
                    {
                        HolderIdentity = identity, LeaseDurationSeconds = seconds, AcquireTime = now, RenewTime = now, LeaseTransitions = 0,
                    },
                }, cancellationToken);
                return true;
            }
            var spec = lease.Spec ??= new V1LeaseSpec();
            var expires = (spec.RenewTime ?? DateTime.MinValue) + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? seconds);
            if (spec.HolderIdentity != identity)
            {
                if (!string.IsNullOrEmpty(spec.HolderIdentity) && expires > now)
                {
                    return false;
                }
                spec.HolderIdentity = identity;
                spec.AcquireTime = now;
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            }
            spec.RenewTime = now;
            spec.LeaseDurationSeconds = seconds;
            await client.ReplaceAsync(ns, lease, cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            return false; // another replica created or updated it first
        }
    }
}
