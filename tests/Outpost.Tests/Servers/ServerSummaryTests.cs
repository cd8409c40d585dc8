using System.Text.Json;
using Outpost.Backends;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class ServerSummaryTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public void From_Record_WritesTheOriginalWireKeys()
    {
        var json = Serialize(Record(ServerPhase.Running));

        Assert.Equal(
            ["name", "start_id", "start_date", "end_date", "jupyterhub", "jupyterhub_userid", "last_update", "state_stored", "start_pending", "stop_pending"],
            json.EnumerateObject().Select(p => p.Name).Take(10));
        Assert.Equal("lab", json.GetProperty("name").GetString());
        Assert.Equal("3", json.GetProperty("start_id").GetString());
        Assert.Equal("hub1", json.GetProperty("jupyterhub").GetString());
    }

    [Fact]
    public void From_Record_WritesUserIdAsString()
    {
        var json = Serialize(Record(ServerPhase.Running));

        Assert.Equal(JsonValueKind.String, json.GetProperty("jupyterhub_userid").ValueKind);
        Assert.Equal("17", json.GetProperty("jupyterhub_userid").GetString());
    }

    [Fact]
    public void From_RecordWithoutEndDate_WritesMaximumDate()
    {
        var json = Serialize(Record(ServerPhase.Running));

        Assert.Equal("9999-12-31T23:59:59.999999+00:00", json.GetProperty("end_date").GetString());
    }

    [Fact]
    public void From_Dates_AreUtcIsoWithMicroseconds()
    {
        var record = Record(ServerPhase.Running) with
        {
            StartDate = new DateTimeOffset(2025, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234560),
            EndDate = Start.AddHours(1),
        };

        var json = Serialize(record);

        Assert.Equal("2025-03-04T05:06:07.123456+00:00", json.GetProperty("start_date").GetString());
        Assert.Equal("2025-03-04T06:06:07.000000+00:00", json.GetProperty("end_date").GetString());
        Assert.Equal("2025-03-04T05:06:07.000000+00:00", json.GetProperty("last_update").GetString());
    }

    [Theory]
    [InlineData(ServerPhase.Pending, true, false, "pending")]
    [InlineData(ServerPhase.Starting, true, false, "starting")]
    [InlineData(ServerPhase.Running, false, false, "running")]
    [InlineData(ServerPhase.Stopping, false, true, "stopping")]
    [InlineData(ServerPhase.Stopped, false, false, "stopped")]
    [InlineData(ServerPhase.Failed, false, false, "failed")]
    public void From_Phase_SetsPendingFlags(ServerPhase phase, bool startPending, bool stopPending, string name)
    {
        var json = Serialize(Record(phase));

        Assert.Equal(startPending, json.GetProperty("start_pending").GetBoolean());
        Assert.Equal(stopPending, json.GetProperty("stop_pending").GetBoolean());
        Assert.Equal(name, json.GetProperty("phase").GetString());
    }

    [Fact]
    public void From_Handle_SetsStateStored()
    {
        Assert.False(Serialize(Record(ServerPhase.Running)).GetProperty("state_stored").GetBoolean());
        Assert.True(Serialize(Record(ServerPhase.Running) with { Handle = new BackendHandle("{}") }).GetProperty("state_stored").GetBoolean());
    }

    private static ServerRecord Record(ServerPhase phase) => new()
    {
        Id = 1,
        Key = new ServerKey("hub1", "lab", "3"),
        UserName = "alice",
        UserId = 17,
        Backend = "Local",
        ResourceName = "jupyter-hub1-alice-lab-00000000",
        Phase = phase,
        ProtectedSpec = [],
        StartDate = Start,
        LastUpdate = Start,
    };

    private static JsonElement Serialize(ServerRecord record) =>
        JsonDocument.Parse(JsonSerializer.Serialize(ServerSummary.From(record))).RootElement;
}
