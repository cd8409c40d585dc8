using Microsoft.Extensions.Options;

namespace Outpost.Replicas;

/// <summary>Checks <c>Outpost:Replicas</c> at start-up, naming each bad key.</summary>
public sealed class ReplicasOptionsValidator : IValidateOptions<ReplicasOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicasOptions options)
    {
        var errors = new List<string>();
        if (options.LeaseSeconds is < 2 or > 600)
        {
            errors.Add($"Outpost:Replicas:LeaseSeconds must be between 2 and 600 (got {options.LeaseSeconds}).");
        }
        if (options.RenewSeconds < 1 || options.RenewSeconds * 2 >= options.LeaseSeconds)
        {
            errors.Add($"Outpost:Replicas:RenewSeconds must be at least 1 and less than half of LeaseSeconds (got {options.RenewSeconds} with LeaseSeconds {options.LeaseSeconds}).");
        }
        if (options.ReconcileSeconds is < 1 or > 3600)
        {
            errors.Add($"Outpost:Replicas:ReconcileSeconds must be between 1 and 3600 (got {options.ReconcileSeconds}).");
        }
        if (options.OrphanSweepSeconds is < 1 or > 86400)
        {
            errors.Add($"Outpost:Replicas:OrphanSweepSeconds must be between 1 and 86400 (got {options.OrphanSweepSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
