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
        OptionRange.Check(errors, "Outpost:MaxRequestBytes", options.MaxRequestBytes, 1024, 256 * 1024 * 1024);
        OptionRange.Check(errors, "Outpost:StartTimeoutSeconds", options.StartTimeoutSeconds, 1, 86400);
        OptionRange.Check(errors, "Outpost:RuntimeSweepSeconds", options.RuntimeSweepSeconds, 1, 3600);
        OptionRange.Check(errors, "Outpost:FailedRetentionMinutes", options.FailedRetentionMinutes, 1, 525_600);
        OptionRange.Check(errors, "Outpost:LogLines", options.LogLines, 0, 100_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
