namespace Outpost.Tests.Storage;

public sealed class MigrationScriptsTests
{
    [Fact]
    public void EveryProvider_HasTheSameMigrationNumbers()
    {
        static string[] Versions(string provider) =>
        [
            .. typeof(Outpost.Storage.MigrationRunner).Assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith($"Outpost.Storage.Migrations.{provider}.", StringComparison.Ordinal))
                .Select(n => n[$"Outpost.Storage.Migrations.{provider}.".Length..].Split('_')[0])
                .Order(StringComparer.Ordinal),
        ];

        var sqlite = Versions("Sqlite");

        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite, Versions("Postgres"));
    }
}
