using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

/// <summary>Stops the Outpost at start-up when the start-up read of the flavor configuration found errors, listing all of them.</summary>
public sealed class StartupFlavorConfigValidator(ParsedFlavorConfig startupRead) : IValidateOptions<StartupFlavorConfig>
{
    public ValidateOptionsResult Validate(string? name, StartupFlavorConfig options) =>
        startupRead.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(startupRead.Errors);
}
