using Outpost.Operations;

namespace Outpost.Hosting;

public sealed partial class OriginalOutpostSettings
{
    /// <summary>What <c>outpost check</c> says of the original's variables, by name only: "none", or which were used and which not.</summary>
    public string Summary()
    {
        var notUsed = NotUsed;
        if (Used.Count == 0 && notUsed.Count == 0)
        {
            return "none";
        }
        var parts = new List<string>();
        if (Used.Count > 0)
        {
            parts.Add($"used {string.Join(", ", Used)}");
        }
        if (notUsed.Count > 0)
        {
            parts.Add($"not used {string.Join(", ", notUsed)} (docs/migrate-from-outpost.md says why)");
        }
        return string.Join("; ", parts);
    }

    /// <summary>Logs, by name, which of the original's variables were taken and which were not.</summary>
    public void LogUse(ILogger logger)
    {
        if (Used.Count > 0)
        {
            Log.Used(logger, string.Join(", ", Used));
        }
        if (NotUsed is { Count: > 0 } notUsed)
        {
            Log.NotUsed(logger, string.Join(", ", notUsed));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.OriginalSettingsUsed, Level = LogLevel.Information, Message = "Settings taken from the original Outpost's variables: {Variables}")]
        public static partial void Used(ILogger logger, string variables);

        [LoggerMessage(EventId = LogEvents.OriginalSettingsNotUsed, Level = LogLevel.Warning, Message = "Variables of the original Outpost that this Outpost does not use (docs/migrate-from-outpost.md says why): {Variables}")]
        public static partial void NotUsed(ILogger logger, string variables);
    }
}
