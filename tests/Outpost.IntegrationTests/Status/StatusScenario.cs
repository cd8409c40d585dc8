using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Hubs;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Status;

/// <summary>
/// An Outpost with the status page on and servers in every state a page should show: running, starting, failed
/// with a message, stopped after an exit, over two hubs with flavors, and a hub whose events cannot be delivered.
/// </summary>
public sealed class StatusScenario : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "status-secret-1";

    /// <summary>A failure message with markup in it: the page must show it as text.</summary>
    public const string FailureMessage = "Job refused: <b>quota</b> & \"limits\" exceeded on partition gpu";

    private StatusScenario(OutpostHost outpost, FakeHub hub1, FakeHub hub2, SteeredBackend backend)
    {
        Outpost = outpost;
        Hub1Events = hub1;
        Hub2Events = hub2;
        Backend = backend;
    }

    public OutpostHost Outpost { get; }

    public FakeHub Hub1Events { get; }

    /// <summary>Refuses every event, so hub2 has a backlog.</summary>
    public FakeHub Hub2Events { get; }

    public SteeredBackend Backend { get; }

    public static Dictionary<string, string> Settings(Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Outpost:Backends:Default"] = SteeredBackend.BackendName,
            ["Outpost:StatusPage:PasswordHash"] = PasswordHash.Create(AdminPassword, 10_000),
            ["Outpost:Flavors:Flavors:small:max"] = "10",
            ["Outpost:Flavors:Flavors:gpu:max"] = "2",
            ["Outpost:Flavors:Flavors:any:max"] = "-1",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public static async Task<StatusScenario> StartAsync(Dictionary<string, string>? extra = null)
    {
        var backend = new SteeredBackend();
        var hub1 = await FakeHub.StartAsync();
        var hub2 = await FakeHub.StartAsync();
        hub2.FailNext(int.MaxValue);
        var outpost = await OutpostHost.StartAsync(Settings(extra), configure: builder => builder.Services.AddSingleton<Outpost.Backends.IBackend>(backend));
        return new StatusScenario(outpost, hub1, hub2, backend);
    }

    /// <summary>Starts the servers and waits until each is in the state it should show.</summary>
    public async Task PopulateAsync()
    {
        using var hub1 = Outpost.Client(OutpostHost.Hub1);
        using var hub2 = Outpost.Client(OutpostHost.Hub2);
        Backend.Failures["bob"] = FailureMessage;
        Backend.Hangs["carol"] = 0;

        await StartAsync(hub1, Hub1Events, "alice", "lab", "small");
        await StartAsync(hub1, Hub1Events, "alice", "gpu-run", "gpu");
        await StartAsync(hub1, Hub1Events, "bob", "train", "gpu", async: true);
        await StartAsync(hub1, Hub1Events, "carol", "big", "small", async: true);
        await StartAsync(hub1, Hub1Events, "dave", "", "small");
        await StartAsync(hub2, Hub2Events, "erin", "notebook", "any");

        await hub1.PollUntilAsync("/services/train/train", (_, json) => json.ValueKind == System.Text.Json.JsonValueKind.Object && json.GetProperty("status").ValueKind != System.Text.Json.JsonValueKind.Null);
        Backend.Exits["dave"] = (1, "Kernel died: out of memory");
        await hub1.PollUntilAsync("/services//s1", (_, json) => json.ValueKind == System.Text.Json.JsonValueKind.Object && json.GetProperty("status").ValueKind != System.Text.Json.JsonValueKind.Null);
        // Carol's start hangs in the backend: Starting until stopped.
        await Hub1Events.WaitForEventsAsync(events => events.Any(e => e.Path.Contains("bob", StringComparison.Ordinal) && e.Failed));
    }

    /// <summary>A client that presents the admin credential (or <paramref name="user"/>/<paramref name="password"/>).</summary>
    public HttpClient AdminClient(string user = AdminUser, string password = AdminPassword)
    {
        var client = new HttpClient { BaseAddress = new Uri(Outpost.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Outpost.DisposeAsync();
        await Hub1Events.DisposeAsync();
        await Hub2Events.DisposeAsync();
    }

    private static async Task StartAsync(HttpClient client, FakeHub hub, string user, string name, string flavor, bool async = false)
    {
        var startId = name.Length == 0 ? "s1" : name;
        var body = StartBodies.For(user, name, startId, hub);
        ((Dictionary<string, object>)body["user_options"]!)["flavor"] = flavor;
        ((Dictionary<string, string>)body["env"]!)["JUPYTERHUB_USER_ID"] = (user[0] - 'a' + 1).ToString(CultureInfo.InvariantCulture);
        using var response = await client.StartAsync(body, async);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"start of {user}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
