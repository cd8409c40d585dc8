using System.Data.Common;
using System.Globalization;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Checks;

/// <summary>
/// Leases are judged by each replica's own clock, so clocks that disagree by a good part of a lease let a lease
/// expire early or two replicas lead at once. Compares this machine's clock with the database's <c>now()</c>, and
/// each running replica's liveness lease with what an agreeing clock would have written. A running replica renews
/// its lease every <see cref="ReplicasOptions.RenewSeconds"/> to "its now + LeaseSeconds", so in the database's time
/// the lease ends between LeaseSeconds − RenewSeconds and LeaseSeconds from now; outside that, its clock is off.
/// Either is a warning past a tenth of <see cref="ReplicasOptions.LeaseSeconds"/>.
/// </summary>
internal static class ReplicaClockCheck
{
    public static async Task<IReadOnlyList<CheckLine>> RunAsync(DbConnection connection, ReplicasOptions options, TimeProvider time, bool hasLeases, CancellationToken cancellationToken)
    {
        var lease = TimeSpan.FromSeconds(options.LeaseSeconds);
        var renew = TimeSpan.FromSeconds(options.RenewSeconds);
        var tolerance = lease / 10;
        var fix = $"synchronise the clocks (NTP): leases of {options.LeaseSeconds} s (Outpost:Replicas:LeaseSeconds) are judged by each replica's own clock";
        var lines = new List<CheckLine>();

        var before = time.GetUtcNow();
        var databaseNow = await connection.ExecuteScalarAsync<DateTime>("SELECT now()", cancellationToken: cancellationToken);
        var after = time.GetUtcNow();
        var dbNow = new DateTimeOffset(DateTime.SpecifyKind(databaseNow, DateTimeKind.Utc));
        var skew = before + ((after - before) / 2) - dbNow;
        var uncertainty = (after - before) / 2;
        lines.Add(skew.Duration() > tolerance + uncertainty
            ? CheckLine.Warn("Clock", $"this machine's clock is {Seconds(skew.Duration())} {(skew > TimeSpan.Zero ? "ahead of" : "behind")} the database's", fix)
            : CheckLine.Ok("Clock", $"this machine and the database agree within {Seconds(tolerance)}"));

        if (!hasLeases)
        {
            return lines;
        }
        var replicas = await connection.QueryAsync(
            "SELECT name, expires_at FROM leases WHERE name LIKE @prefix AND expires_at > now() ORDER BY name",
            row => (Name: row.GetString(0), ExpiresAt: new DateTimeOffset(DateTime.SpecifyKind(row.GetDateTime(1), DateTimeKind.Utc))),
            [("@prefix", LeaderElection.ReplicaLeasePrefix + "%")], cancellationToken: cancellationToken);
        var off = 0;
        foreach (var (name, expiresAt) in replicas)
        {
            var id = name[LeaderElection.ReplicaLeasePrefix.Length..];
            var ahead = expiresAt - dbNow - lease;
            if (ahead > tolerance)
            {
                lines.Add(CheckLine.Warn("Replica clocks", $"replica {id}'s clock is at least {Seconds(ahead)} ahead of the database's", fix));
                off++;
            }
            else if (ahead < -(renew + tolerance))
            {
                lines.Add(CheckLine.Warn("Replica clocks", $"replica {id}'s clock is at least {Seconds(-(ahead + renew))} behind the database's", fix));
                off++;
            }
        }
        if (off == 0)
        {
            lines.Add(CheckLine.Ok("Replica clocks", replicas.Count == 0
                ? "no replica is running"
                : $"{replicas.Count} running replica{(replicas.Count == 1 ? "" : "s")} agree{(replicas.Count == 1 ? "s" : "")} with the database within {Seconds(tolerance)}"));
        }
        return lines;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
