using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>
/// Reads when each delivered progress event entered the Outpost's outbox (its <c>created_at</c>, stamped when the
/// backend reported it), to split a latency into "watch line → reported" and "reported → hub". Wall-clock times are
/// turned into Stopwatch timestamps through one pair of readings taken at the start, so both sides use one clock.
/// </summary>
internal sealed class OutboxTimes(string dataDir)
{
    private readonly DateTimeOffset _wall0 = DateTimeOffset.UtcNow;
    private readonly long _stopwatch0 = Stopwatch.GetTimestamp();

    /// <summary>(user, step) → Stopwatch timestamp at which the event was appended, for servers whose name starts with <paramref name="prefix"/>.</summary>
    public Dictionary<(string User, string Step), long> Read(string hub, string prefix)
    {
        var times = new Dictionary<(string, string), long>();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "outpost.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT server, body, created_at FROM event_deliveries WHERE server LIKE @prefix";
        command.Parameters.AddWithValue("@prefix", $"{hub}/{prefix}%");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var user = reader.GetString(0).Split('/')[1];
            using var body = JsonDocument.Parse(reader.GetString(1));
            var step = HubReceiver.Step(body.RootElement.GetProperty("message").GetString() ?? "");
            var created = DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            times[(user, step)] = _stopwatch0 + (long)((created - _wall0).TotalSeconds * Stopwatch.Frequency);
        }
        return times;
    }
}
