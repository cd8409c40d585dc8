namespace Outpost.IntegrationTests.Storage;

/// <summary>The data folder and the SQLite files are readable by the Outpost's user only.</summary>
public sealed class DataDirectoryModeTests
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Start_NewDataFolder_IsCreated0700_WithTheDatabaseFiles0600()
    {
        var parent = Directory.CreateTempSubdirectory("outpost-modes-").FullName;
        var dataDir = Path.Combine(parent, "data");

        await using (var outpost = await OutpostHost.StartAsync(dataDir: dataDir))
        {
            using var client = outpost.Client();
            await client.GetAsync("/services");
            AssertOwnerOnly(dataDir);
        }
        AssertOwnerOnly(dataDir);
    }

    [Fact]
    public async Task Start_ExistingWideModes_AreNarrowed()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-modes-").FullName;
        await using (await OutpostHost.StartAsync(dataDir: dataDir))
        {
        }
        const UnixFileMode wideFile = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(dataDir, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(dataDir, "outpost.db"), wideFile);
        await File.WriteAllBytesAsync(Path.Combine(dataDir, "outpost.db-journal"), []);
        File.SetUnixFileMode(Path.Combine(dataDir, "outpost.db-journal"), wideFile);

        await using (await OutpostHost.StartAsync(dataDir: dataDir))
        {
            AssertOwnerOnly(dataDir);
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(dataDir, "outpost.db-journal")));
        }
    }

    private static void AssertOwnerOnly(string dataDir)
    {
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(dataDir));
        var files = Directory.GetFiles(dataDir, "outpost.db*");
        Assert.Contains(Path.Combine(dataDir, "outpost.db"), files);
        foreach (var file in files.Append(Path.Combine(dataDir, "secret.key")))
        {
            Assert.True(File.GetUnixFileMode(file) == OwnerOnlyFile, $"{file}: {File.GetUnixFileMode(file)}");
        }
    }
}
