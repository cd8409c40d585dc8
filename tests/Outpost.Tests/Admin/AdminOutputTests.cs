using Outpost.Admin;

namespace Outpost.Tests.Admin;

public sealed class AdminOutputTests
{
    private static readonly DateTimeOffset Started = new(2025, 3, 4, 10, 20, 30, TimeSpan.FromHours(1));

    private static readonly AdminServer Alice = new("hub1", "", "s1", "alice", "running", "Local", null, "127.0.0.1:41000", Started, Started.AddMinutes(1));

    [Fact]
    public void Servers_Several_AreAnAlignedTable()
    {
        var bert = new AdminServer("teaching", "lab", "17", "bert", "pending", "Slurm", "small", null, Started.AddHours(2), Started.AddHours(2));

        Assert.Equal(
            """
            HUB       NAME       START ID  USER   PHASE    BACKEND  FLAVOR  SERVICE          STARTED (UTC)
            hub1      (default)  s1        alice  running  Local    -       127.0.0.1:41000  2025-03-04 09:20:30
            teaching  lab        17        bert   pending  Slurm    small   -                2025-03-04 11:20:30

            """,
            AdminOutput.Servers([Alice, bert]));
        Assert.Equal("No servers.\n", AdminOutput.Servers([]));
    }

    [Fact]
    public void Server_WithEvents_ShowsItsFieldsAndWhatBecameOfItsEvents()
    {
        var detail = new AdminServerDetail(Alice, 17, "jupyter-alice-s1", null, null, null, "replica-a", """{"pid":4242}""",
        [
            new AdminEvent(7, "hub1", "hub1//s1", Started, 0, "Server requested", false, "delivered", 1, null, Started),
            new AdminEvent(9, "hub1", "hub1//s1", Started.AddSeconds(2), 100, "It broke", true, "waiting", 3, Started.AddSeconds(9), null),
        ], 1);

        Assert.Equal(
            """
            Server       hub1/(default)/s1
            User         alice (id 17)
            Phase        running
            Backend      Local
            Flavor       -
            Service      127.0.0.1:41000
            Resource     jupyter-alice-s1
            Started      2025-03-04 09:20:30
            Last update  2025-03-04 09:21:30
            Ends         -
            Exit code    -
            Error        -
            Replica      replica-a
            Handle       {"pid":4242}
            Events       2 shown, 1 waiting for the hub

            ID  CREATED (UTC)        PROGRESS  STATE      ATTEMPTS  MESSAGE
            7   2025-03-04 09:20:30  0         delivered  1         Server requested
            9   2025-03-04 09:20:32  100       waiting    3         (failed) It broke

            """,
            AdminOutput.Server(detail));
    }

    [Fact]
    public void Events_LongMessage_IsShortenedToOneLine()
    {
        var list = new AdminEventList([new AdminEvent(3, "hub1", "hub1/nb/s1", Started, null, new string('x', 70) + "\nmore", false, "refused (HTTP 403)", 1, null, Started)], 0);

        Assert.Equal(
            $"""
            ID  SERVER      CREATED (UTC)        PROGRESS  STATE               ATTEMPTS  MESSAGE
            3   hub1/nb/s1  2025-03-04 09:20:30  -         refused (HTTP 403)  1         {new string('x', 59)}…
            0 waiting in the outbox.

            """,
            AdminOutput.Events(list));
        Assert.Equal("No events.\n3 waiting in the outbox.\n", AdminOutput.Events(new AdminEventList([], 3)));
    }

    [Fact]
    public void HandleRedactor_SecretKeysAndSecretValues_AreMaskedEverywhere()
    {
        var env = new Dictionary<string, string> { ["JUPYTERHUB_API_TOKEN"] = "tok-123456789", ["JUPYTERHUB_USER"] = "alice" };
        const string handle = """
            {"state":{"pid":12,"env":{"JUPYTERHUB_API_TOKEN":"tok-123456789","JUPYTERHUB_USER":"alice"},"api_token":"other-secret"},
             "cmd":["jupyterhub-singleuser","--token=tok-123456789"],"client_secret":{"nested":"gone"},"n":3}
            """;

        var shown = HandleRedactor.Redact(handle, env);

        Assert.Equal(
            """{"state":{"pid":12,"env":{"JUPYTERHUB_API_TOKEN":"[redacted]","JUPYTERHUB_USER":"alice"},"api_token":"[redacted]"},"cmd":["jupyterhub-singleuser","--token=[redacted]"],"client_secret":"[redacted]","n":3}""",
            shown);
        Assert.Equal("pid 12 token [redacted]", HandleRedactor.Redact("pid 12 token tok-123456789", env));
    }
}
