using Microsoft.Extensions.Options;

namespace Outpost.Hosting;

/// <summary>The problems found in the original Outpost's variables, checked at start-up with every other option.</summary>
public sealed class OriginalOutpostOptions
{
    public IReadOnlyList<string> Errors { get; set; } = [];
}

/// <summary>Stops the Outpost at start-up while an original variable has a bad value, listing each with its variable.</summary>
public sealed class OriginalOutpostOptionsValidator : IValidateOptions<OriginalOutpostOptions>
{
    public ValidateOptionsResult Validate(string? name, OriginalOutpostOptions options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}
