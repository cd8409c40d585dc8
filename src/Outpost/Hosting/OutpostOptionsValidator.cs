using Microsoft.Extensions.Options;

namespace Outpost.Hosting;

/// <summary>Checks <c>Outpost:*</c> scalar options at start-up, naming each bad key.</summary>
public sealed class OutpostOptionsValidator : IValidateOptions<OutpostOptions>
{
    public ValidateOptionsResult Validate(string? name, OutpostOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Outpost:DataDir must name a folder.");
        }
        if (options.MaxRequestBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add($"Outpost:MaxRequestBytes must be between 1024 and 268435456 (got {options.MaxRequestBytes}).");
        }
        if (options.StartTimeoutSeconds is < 1 or > 86400)
        {
            errors.Add($"Outpost:StartTimeoutSeconds must be between 1 and 86400 (got {options.StartTimeoutSeconds}).");
        }
        if (options.RuntimeSweepSeconds is < 1 or > 3600)
        {
            errors.Add($"Outpost:RuntimeSweepSeconds must be between 1 and 3600 (got {options.RuntimeSweepSeconds}).");
        }
        if (options.FailedRetentionMinutes is < 1 or > 525_600)
        {
            errors.Add($"Outpost:FailedRetentionMinutes must be between 1 and 525600 (got {options.FailedRetentionMinutes}).");
        }
        if (options.LogLines is < 0 or > 100_000)
        {
            errors.Add($"Outpost:LogLines must be between 0 and 100000 (got {options.LogLines}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
