using Microsoft.Data.Sqlite;
using Outpost.Hubs;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.IntegrationTests.Checks;

/// <summary>
/// <c>outpost check</c> as an operator runs it, on SQLite and the local backend: exact lines, the exit code by the
/// worst line, and nothing written (the data folder is byte for byte and time for time the same afterwards).
/// </summary>
public sealed class CheckCommandTests
{
    private static readonly int Schema = MigrationRunner.LatestVersion(StorageOptions.Sqlite);

    [Fact]
    public async Task Check_GoodSetup_EveryLineOk_ExitsZero_WritesNothing()
    {
        var dataDir = await MigratedDataDirAsync();
        var before = DirectorySnapshot.Take(dataDir);

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check");

        Assert.True(exitCode == 0, output + errors);
        Assert.Equal(
        [
            "ok    Configuration: valid",
            $"ok    Storage: the Sqlite database at {dataDir}/outpost.db answers; schema version {Schema}, as this Outpost needs",
            "ok    Hubs: hub1, hub2",
            "ok    Backends: Local (default Local)",
            "ok    Backend Local: runs /usr/bin/python3 on 127.0.0.1",
            "ok    Original Outpost settings: none",
        ], Lines(output));
        Assert.Equal(before, DirectorySnapshot.Take(dataDir));
    }

    [Fact]
    public async Task Check_FreshDataDir_WarnsThatTheDatabaseIsNotThereYet_AndCreatesNothing()
    {
        var parent = Directory.CreateTempSubdirectory("outpost-check-").FullName;
        var dataDir = Path.Combine(parent, "data");

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check");

        Assert.True(exitCode == 1, output + errors);
        Assert.Equal(
        [
            $"warn  Storage: the Sqlite database at {dataDir}/outpost.db does not exist yet",
            "      fix: `outpost serve` creates and migrates it at start-up (so does `outpost hub add`)",
        ], Lines(output)[1..3]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Fact]
    public async Task Check_DatabaseBehindThisBuild_FailsNamingBothVersions_AndDoesNotMigrate()
    {
        var dataDir = await MigratedDataDirAsync();
        await WithConnectionAsync(dataDir, c => c.ExecuteAsync("DELETE FROM schema_version WHERE version = @v", [("@v", Schema)]));
        var before = DirectorySnapshot.Take(dataDir);

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check");

        Assert.True(exitCode == 2, output + errors);
        Assert.Equal(
        [
            $"fail  Storage: the Sqlite database at {dataDir}/outpost.db has schema version {Schema - 1}; this Outpost needs {Schema}",
            "      fix: run `outpost serve` once: it applies the missing migrations at start-up, in one transaction",
        ], Lines(output)[1..3]);
        Assert.Equal(before, DirectorySnapshot.Take(dataDir));
    }

    [Fact]
    public async Task Check_StoredHubCollidesWithAConfiguredOne_HubsLineFails_WritesNothing()
    {
        var dataDir = await MigratedDataDirAsync();
        var database = new SqliteDatabase($"Data Source={Path.Combine(dataDir, "outpost.db")}");
        await new SqliteHubStore(database, TimeProvider.System).SetPasswordHashAsync("HUB1", PasswordHash.Create("password-of-HUB1"));
        SqliteConnection.ClearAllPools();
        var before = DirectorySnapshot.Take(dataDir);

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check");

        Assert.True(exitCode == 2, output + errors);
        Assert.Equal(
        [
            "fail  Hubs: 'HUB1' and 'hub1' differ only in case (or Unicode form), so one would stand in for the other",
            "      fix: keep one spelling: remove the others from Outpost:Hubs, or from the database if `outpost hub add` stored them",
        ], Lines(output)[2..4]);
        Assert.Equal(before, DirectorySnapshot.Take(dataDir));
    }

    [Fact]
    public async Task Check_LocalProgramMissing_BackendLineFails()
    {
        var dataDir = await MigratedDataDirAsync();

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir,
            new() { ["Outpost:Backends:Local:Command:0"] = "no-such-singleuser-program", ["Outpost:Backends:Local:Environment:PATH"] = "/usr/bin:/bin" }, "check");

        Assert.True(exitCode == 2, output + errors);
        Assert.Contains("fail  Backend Local: The server program 'no-such-singleuser-program' was not found on PATH (/usr/bin:/bin)", Lines(output));
        Assert.Contains("      fix: install it, or set Outpost:Backends:Local:Command:0 to its full path", Lines(output));
    }

    [Fact]
    public async Task Check_HubUrl_AnswerIsOk_RefusedConnectionFails()
    {
        var dataDir = await MigratedDataDirAsync();
        await using var hub = await Fakes.FakeHub.StartAsync();
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var answering = await CommandLineTests.RunAsync(dataDir, "check", "--hub", hub.BaseUrl + "/hub/api");
        var refused = await CommandLineTests.RunAsync(dataDir, "check", $"--hub=http://127.0.0.1:{closedPort}/hub/api/");

        Assert.True(answering.ExitCode == 0, answering.Output + answering.Errors);
        Assert.Equal($"ok    Hub {hub.BaseUrl}/hub/api: answers (HTTP 200)", Lines(answering.Output)[5]);
        Assert.True(refused.ExitCode == 2, refused.Output + refused.Errors);
        Assert.Equal(
        [
            $"fail  Hub http://127.0.0.1:{closedPort}/hub/api/: does not answer: Connection refused (127.0.0.1:{closedPort})",
            "      fix: check the URL, and DNS, routes, firewalls, proxies and TLS between this machine and the hub: progress events go there",
        ], Lines(refused.Output)[5..7]);
    }

    [Fact]
    public async Task Check_InvalidConfiguration_OneFailingLinePerError_NothingElseChecked()
    {
        var parent = Directory.CreateTempSubdirectory("outpost-check-").FullName;
        var dataDir = Path.Combine(parent, "data");

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, new() { ["Outpost:StartTimeoutSeconds"] = "0" }, "check");

        Assert.True(exitCode == 2, output + errors);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("fail  Configuration: Outpost:StartTimeoutSeconds", lines[0]);
        Assert.Equal("      fix: correct the key named here (in the --config file, the environment or the command line)", lines[1]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    /// <summary>A data folder whose database has the current schema and no open connection (no -wal file).</summary>
    internal static async Task<string> MigratedDataDirAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-check-").FullName;
        await new SqliteDatabase($"Data Source={Path.Combine(dataDir, "outpost.db")}").MigrateAsync();
        SqliteConnection.ClearAllPools();
        return dataDir;
    }

    private static async Task WithConnectionAsync(string dataDir, Func<SqliteConnection, Task> work)
    {
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "outpost.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await work(connection);
        }
    }

    internal static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
