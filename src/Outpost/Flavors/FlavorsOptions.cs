using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

/// <summary>The flavor configuration as read at start-up, with the problems found in it.</summary>
public sealed class FlavorsOptions
{
    public FlavorConfig Config { get; set; } = FlavorConfig.Empty;

    public IReadOnlyList<string> Errors { get; set; } = [];
}

/// <summary>Stops the Outpost at start-up when the flavor configuration has errors, listing all of them.</summary>
public sealed class FlavorsOptionsValidator : IValidateOptions<FlavorsOptions>
{
    public ValidateOptionsResult Validate(string? name, FlavorsOptions options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}
