using Microsoft.Extensions.Options;

namespace Outpost.Events;

/// <summary>Checks <c>Outpost:Events</c> at start-up, naming each bad key.</summary>
public sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    private const string Section = "Outpost:Events";

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var errors = new List<string>();
        Range(errors, nameof(EventsOptions.TimeoutSeconds), options.TimeoutSeconds, 1, 3600);
        Range(errors, nameof(EventsOptions.InitialBackoffMilliseconds), options.InitialBackoffMilliseconds, 1, 3_600_000);
        Range(errors, nameof(EventsOptions.MaxBackoffSeconds), options.MaxBackoffSeconds, 1, 86_400);
        Range(errors, nameof(EventsOptions.MaxAgeHours), options.MaxAgeHours, 1, 8760);
        Range(errors, nameof(EventsOptions.Parallelism), options.Parallelism, 1, 256);
        Range(errors, nameof(EventsOptions.GatherStartEventsMilliseconds), options.GatherStartEventsMilliseconds, 0, 10_000);
        if (options.InitialBackoffMilliseconds > 0 && options.MaxBackoffSeconds > 0 && options.InitialBackoffMilliseconds > options.MaxBackoffSeconds * 1000L)
        {
            errors.Add($"{Section}:InitialBackoffMilliseconds ({options.InitialBackoffMilliseconds}) is above {Section}:MaxBackoffSeconds ({options.MaxBackoffSeconds} s).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, int value, int min, int max) =>
        Hosting.OptionRange.Check(errors, $"{Section}:{key}", value, min, max);
}
