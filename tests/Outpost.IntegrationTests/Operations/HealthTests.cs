using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.IntegrationTests.Operations;

/// <summary><c>/health</c> is the readiness check (database, leadership); <c>/ping</c> stays the cheap liveness probe.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Health_Get_ReportsTheDatabaseAndLeadership()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };

        using var response = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Contains("leads", body.GetProperty("checks").GetProperty("leadership").GetProperty("description").GetString());
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("PROPFIND")]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task Health_OtherMethods_Are405_AndPingIsUnchanged(string method)
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };

        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/health"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("""{"ping":"pong!"}""", await anonymous.GetStringAsync("/ping"));
    }

    [Fact]
    public async Task Health_DatabaseNotAnswering_Is503_WhilePingStaysUp()
    {
        SwitchableDatabase? database = null;
        await using var outpost = await OutpostHost.StartAsync(configure: builder => builder.Services.AddSingleton<IDatabase>(sp =>
            database = new SwitchableDatabase(sp.GetRequiredService<SqliteDatabase>())));
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);

        database!.Down = true;
        using var response = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ping")).StatusCode);
    }

    /// <summary>The real database, except that its readiness query fails while <see cref="Down"/> is set.</summary>
    private sealed class SwitchableDatabase(IDatabase inner) : IDatabase
    {
        public volatile bool Down;

        public string Provider => inner.Provider;

        public string Location => inner.Location;

        public Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

        public Task CheckAsync(CancellationToken cancellationToken = default) =>
            Down ? throw new InvalidOperationException("unable to open database file") : inner.CheckAsync(cancellationToken);

        public bool IsTransient(Exception exception) => inner.IsTransient(exception);
    }
}
