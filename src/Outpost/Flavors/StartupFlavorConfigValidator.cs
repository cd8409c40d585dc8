using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

/// <summary>Stops the Outpost at start-up when the flavor configuration has errors, listing all of them.</summary>
public sealed class StartupFlavorConfigValidator : IValidateOptions<StartupFlavorConfig>
{
    public ValidateOptionsResult Validate(string? name, StartupFlavorConfig options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}
