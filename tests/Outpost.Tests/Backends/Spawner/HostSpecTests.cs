using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Backends.Spawner;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Spawner;

/// <summary>What the spawner host is given, and what of it is stored: certificates and auth state never are.</summary>
public sealed class HostSpecTests
{
    private static readonly BackendStartRequest Request = new(
        new ServerKey("hub-a", "lab", "s7"),
        new ServerSpec
        {
            Name = "lab",
            StartId = "s7",
            Env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "ann", ["JUPYTERHUB_API_TOKEN"] = "tok" },
            UserOptions = new Dictionary<string, JsonElement> { ["profile"] = JsonDocument.Parse("\"gpu\"").RootElement },
            Misc = new Dictionary<string, JsonElement> { ["port"] = JsonDocument.Parse("8888").RootElement },
            Certs = new ServerCerts("KEY", "CERT", "CA", new Dictionary<string, string> { ["hub-ca"] = "HUBCA" }),
        },
        "hub-a-ann-lab-s7",
        "/data/servers/x",
        new Dictionary<string, string> { ["access_token"] = "secret-at" },
        new JsonObject { ["max"] = 2 });

    [Fact]
    public void ForStart_CarriesEverythingTheSpawnerIsGiven()
    {
        var spec = Write(w => HostSpec.WriteForStart(w, Request, Request.Flavor));
        Assert.Equal("""
            {"hub":"hub-a","name":"lab","start_id":"s7","env":{"JUPYTERHUB_USER":"ann","JUPYTERHUB_API_TOKEN":"tok"},"user_options":{"profile":"gpu"},"misc":{"port":8888},"flavor":{"max":2},"certs":{"keyfile":"KEY","certfile":"CERT","cafile":"CA"},"trust_bundles":{"hub-ca":"HUBCA"},"auth_state":{"access_token":"secret-at"},"work_dir":"/data/servers/x"}
            """, spec);
    }

    [Fact]
    public void ForStorage_LeavesOutCertificatesAndAuthState()
    {
        var stored = HostSpec.ForStorage(Request, Request.Flavor).GetRawText();
        Assert.DoesNotContain("KEY", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("HUBCA", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-at", stored, StringComparison.Ordinal);
        Assert.Contains("\"certs\":null", stored, StringComparison.Ordinal);
        Assert.Contains("\"auth_state\":{}", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Stored_GetsTheLatestAuthState_InPlaceOfTheStoredOne()
    {
        var stored = HostSpec.ForStorage(Request, null);
        var spec = Write(w => HostSpec.WriteStored(w, stored, new Dictionary<string, string> { ["refresh"] = "r2" }));
        using var document = JsonDocument.Parse(spec);
        Assert.Equal("""{"refresh":"r2"}""", document.RootElement.GetProperty("auth_state").GetRawText());
        Assert.Equal("lab", document.RootElement.GetProperty("name").GetString());
        Assert.Single(document.RootElement.EnumerateObject(), p => p.Name == "auth_state");
    }

    [Fact]
    public void Handle_RoundTripsSpecAndState()
    {
        var state = JsonDocument.Parse("""{"pid": 42}""").RootElement;
        var handle = new SpawnerHandle("srv", HostSpec.ForStorage(Request, null), state).ToHandle();
        var back = SpawnerHandle.From(handle);
        Assert.Equal("srv", back.Server);
        Assert.Equal(42, back.State.GetProperty("pid").GetInt32());
        Assert.Equal("hub-a", back.Spec.GetProperty("hub").GetString());
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
