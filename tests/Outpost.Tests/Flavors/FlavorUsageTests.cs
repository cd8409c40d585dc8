using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Flavors;
using Outpost.Servers;
using Outpost.Storage;
using static Outpost.Tests.Flavors.FlavorTestConfig;

namespace Outpost.Tests.Flavors;

/// <summary>Usage counters of spec §5.5: the flavors with <c>current</c>, per hub.</summary>
public sealed class FlavorUsageTests
{
    [Fact]
    public async Task ForHubAsync_UnusedFlavors_HaveCurrentZero()
    {
        var usage = Usage(Read(UserFlavorsFixture()), new CountingStore());

        var flavors = await usage.ForHubAsync("authenticated", CancellationToken.None);

        Assert.Equal(["typea", "typeb"], flavors.Select(f => f.Key));
        Assert.Equal(0, flavors["typea"]!["current"]!.GetValue<int>());
        Assert.Equal(0, flavors["typeb"]!["current"]!.GetValue<int>());
        Assert.Equal(5, flavors["typea"]!["max"]!.GetValue<long>());
    }

    [Fact]
    public async Task ForHubAsync_UsedFlavors_CountOnlyThatHub()
    {
        var store = new CountingStore();
        store.Counts["authenticated"] = new Dictionary<string, int> { ["typeb"] = 3 };
        store.Counts["authenticated2"] = new Dictionary<string, int> { ["typea"] = 4 };
        var usage = Usage(Read(UserFlavorsFixture()), store);

        var flavors = await usage.ForHubAsync("authenticated", CancellationToken.None);

        Assert.Equal(0, flavors["typea"]!["current"]!.GetValue<int>());
        Assert.Equal(3, flavors["typeb"]!["current"]!.GetValue<int>());
    }

    [Fact]
    public async Task ForHubAsync_HubWithoutFlavors_IsEmpty()
    {
        var usage = Usage(Read(UserFlavorsFixture()), new CountingStore());

        Assert.Empty(await usage.ForHubAsync("authenticated2", CancellationToken.None));
    }

    [Fact]
    public async Task ForUserAsync_ForbiddenUser_IsAnEmptyObject()
    {
        var keys = UserFlavorsFixture();
        keys["Users:banned:authentication:username"] = "mallory";
        keys["Users:banned:forbidden"] = "true";
        var usage = Usage(Read(keys), new CountingStore());

        var flavors = await usage.ForUserAsync("authenticated", Auth("""{"username": "mallory"}"""), CancellationToken.None);

        Assert.Equal("{}", flavors.ToJsonString());
    }

    [Fact]
    public async Task ForUserAsync_AllowedUser_GetsCurrent()
    {
        var store = new CountingStore();
        store.Counts["authenticated"] = new Dictionary<string, int> { ["typea"] = 1 };
        var usage = Usage(Read(UserFlavorsFixture()), store);

        var flavors = await usage.ForUserAsync("authenticated", Auth("""{"username": "user1@mycomp.org"}"""), CancellationToken.None);

        Assert.Equal(1, flavors["typea"]!["current"]!.GetValue<int>());
        Assert.Equal(0, flavors["typeb"]!["current"]!.GetValue<int>());
    }

    [Fact]
    public async Task ForHubAsync_MutatingTheResult_LeavesTheConfigurationAlone()
    {
        var config = Read(UserFlavorsFixture());
        var usage = Usage(config, new CountingStore());

        var first = await usage.ForHubAsync("authenticated", CancellationToken.None);
        first["typea"]!["max"] = 99;
        first["typea"]!["runtime"]!["hours"] = 99;
        ((JsonObject)first["typeb"]!).Remove("display_name");

        var definition = config.Flavors.Single(f => f.Key == "typea").Value;
        Assert.Equal(5, definition["max"]!.GetValue<long>());
        Assert.Equal(2, definition["runtime"]!["hours"]!.GetValue<long>());
        Assert.False(definition.ContainsKey("current"));
        var second = await usage.ForHubAsync("authenticated", CancellationToken.None);
        Assert.Equal(5, second["typea"]!["max"]!.GetValue<long>());
        Assert.Equal(2, second["typea"]!["runtime"]!["hours"]!.GetValue<long>());
        Assert.True(((JsonObject)second["typeb"]!).ContainsKey("display_name"));
    }

    private static FlavorUsage Usage(FlavorConfig config, IServerStore store) => new(QuotaPolicyTests.Catalog(config), store);

    /// <summary>Only <see cref="CountActiveByFlavorAsync"/> works: counts set per hub by the test.</summary>
    private sealed class CountingStore : IServerStore
    {
        public Dictionary<string, Dictionary<string, int>> Counts { get; } = new(StringComparer.Ordinal);

        public Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, int>>(Counts.GetValueOrDefault(hub) ?? []);

        public Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ServerRecord?> FindByIdAsync(long id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteAsync(long id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
