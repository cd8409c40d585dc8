using Microsoft.Extensions.Options;

namespace Outpost.Backends;

/// <summary>
/// Checks at start-up that <c>Outpost:Backends:Default</c> names a configured backend; a misspelt name would
/// otherwise fail every start without a profile. Backends are compared as <see cref="BackendCatalog"/> finds them.
/// </summary>
public sealed class BackendsOptionsValidator(IServiceProvider services) : IValidateOptions<BackendsOptions>
{
    public ValidateOptionsResult Validate(string? name, BackendsOptions options)
    {
        var configured = ConfiguredNames(services);
        return configured.Contains(options.Default, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Outpost:Backends:Default is '{options.Default}', which is not a configured backend (configured: {Describe(configured)}).");
    }

    /// <summary>Names of the backends registered (each configured under <c>Outpost:Backends:&lt;name&gt;</c>).</summary>
    internal static IReadOnlyList<string> ConfiguredNames(IServiceProvider services) => [.. services.GetServices<IBackend>().Select(b => b.Name)];

    internal static string Describe(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
