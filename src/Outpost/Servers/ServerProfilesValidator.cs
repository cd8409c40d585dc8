using Microsoft.Extensions.Options;
using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>Checks at start-up that every <c>Outpost:Profiles:&lt;name&gt;:Backend</c> names a configured backend.</summary>
public sealed class ServerProfilesValidator(IServiceProvider services) : IValidateOptions<Dictionary<string, ProfileOptions>>
{
    public ValidateOptionsResult Validate(string? name, Dictionary<string, ProfileOptions> options)
    {
        if (options.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }
        var configured = BackendsOptionsValidator.ConfiguredNames(services);
        var errors = new List<string>();
        foreach (var (profile, settings) in options)
        {
            if (string.IsNullOrWhiteSpace(settings.Backend))
            {
                errors.Add($"Outpost:Profiles:{profile}:Backend is required (configured backends: {BackendsOptionsValidator.Describe(configured)}).");
            }
            else if (!configured.Contains(settings.Backend, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Outpost:Profiles:{profile}:Backend is '{settings.Backend}', which is not a configured backend (configured: {BackendsOptionsValidator.Describe(configured)}).");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
