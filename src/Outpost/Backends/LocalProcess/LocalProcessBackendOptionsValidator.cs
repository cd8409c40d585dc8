using System.Net;
using Microsoft.Extensions.Options;

namespace Outpost.Backends.LocalProcess;

/// <summary>Checks the local backend's options at start-up and names every bad key.</summary>
public sealed class LocalProcessBackendOptionsValidator : IValidateOptions<LocalProcessBackendOptions>
{
    private const string Prefix = "Outpost:Backends:Local";

    public ValidateOptionsResult Validate(string? name, LocalProcessBackendOptions options)
    {
        var errors = new List<string>();
        // Empty means "not configured": the default command is applied after binding.
        if (options.Command.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{Prefix}:Command must list a program and its arguments, with no empty item.");
        }
        if (!IPAddress.TryParse(options.Ip, out _))
        {
            errors.Add($"{Prefix}:Ip '{options.Ip}' is not an IP address.");
        }
        if (options.StopGraceSeconds is < 0 or > 3600)
        {
            errors.Add($"{Prefix}:StopGraceSeconds must be between 0 and 3600 (got {options.StopGraceSeconds}).");
        }
        if (options.MaxLogBytes is < 4096 or > 256 * 1024 * 1024)
        {
            errors.Add($"{Prefix}:MaxLogBytes must be between 4096 and 268435456 (got {options.MaxLogBytes}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
