using Microsoft.Extensions.Configuration;
using Npgsql;
using Outpost.Hosting;

namespace Outpost.Tests.Hosting;

public sealed class OriginalOutpostSettingsTests
{
    private const string FernetKey = "UMmHjHvWjvObNBdjfICzbG8RK7-W-nujsMnN9AAVioU=";

    [Fact]
    public void Read_UsernamesAndPasswords_GiveEachHubItsPassword_DroppingEmptyEntriesAsTheOriginal()
    {
        var settings = Read(new() { ["usernames"] = "hub-a;;hub-b;", ["passwords"] = "password-a;password-b" });

        Assert.Empty(settings.Errors);
        Assert.Equal("password-a", settings.Values["Outpost:Hubs:hub-a:Password"]);
        Assert.Equal("password-b", settings.Values["Outpost:Hubs:hub-b:Password"]);
        Assert.Equal(["passwords", "usernames"], settings.Used);
    }

    [Fact]
    public void Read_HubWithOurCredential_KeepsOurs()
    {
        var settings = Read(new() { ["usernames"] = "hub-a;hub-b", ["passwords"] = "short;password-b" },
            new() { ["Outpost:Hubs:hub-a:PasswordHash"] = "ours" });

        Assert.Empty(settings.Errors);
        Assert.False(settings.Values.ContainsKey("Outpost:Hubs:hub-a:Password"));
        Assert.Equal("password-b", settings.Values["Outpost:Hubs:hub-b:Password"]);
    }

    [Fact]
    public void Read_AllHubsConfiguredByUs_ListsTheVariablesAsNotUsed()
    {
        var settings = Read(new() { ["usernames"] = "hub-a", ["passwords"] = "password-a" }, new() { ["Outpost:Hubs:hub-a:Password"] = "our-password" });

        Assert.Empty(settings.Values);
        Assert.Equal(["passwords", "usernames"], settings.NotUsed);
    }

    [Theory]
    [InlineData("hub-a;hub-b", "password-a", "usernames: has 2 entries and passwords has 1; give one password per hub, in the same order, separated by ';'.")]
    [InlineData("hub a", "password-a", "usernames: entry 1 is not a valid hub name here (1-63 letters, digits, '.', '_' or '-', starting with a letter or digit).")]
    [InlineData("hub-a;hub-a", "password-a;password-b", "usernames: names hub 'hub-a' more than once.")]
    [InlineData("hub-a", "secret7", "passwords: entry 1 (hub 'hub-a') is shorter than 8 characters, which this Outpost refuses; give the hub a longer password here and in its OutpostSpawner configuration.")]
    public void Read_BadHubCredentials_ErrorNamesTheVariable_AndMapsNothingForIt(string usernames, string passwords, string error)
    {
        var settings = Read(new() { ["usernames"] = usernames, ["passwords"] = passwords });

        Assert.Equal([error], settings.Errors);
        Assert.DoesNotContain(settings.Values.Keys, k => k.EndsWith(":Password", StringComparison.Ordinal) && settings.Values[k] == "secret7");
    }

    [Fact]
    public void Read_Postgres_BuildsAQuotedConnectionString()
    {
        var settings = Read(new()
        {
            ["SQL_TYPE"] = "postgresql", ["SQL_HOST"] = "db.example", ["SQL_PORT"] = "5433",
            ["SQL_DATABASE"] = "outpost", ["SQL_USER"] = "jupyterhuboutpost", ["SQL_PASSWORD"] = "pa;ss=word",
        });

        Assert.Empty(settings.Errors);
        Assert.Equal("Postgres", settings.Values["Outpost:Storage:Provider"]);
        var connection = new NpgsqlConnectionStringBuilder(settings.Values["Outpost:Storage:ConnectionString"]);
        Assert.Equal(("db.example", 5433, "outpost", "jupyterhuboutpost", "pa;ss=word"),
            (connection.Host, connection.Port, connection.Database, connection.Username, connection.Password));
        Assert.Equal(["SQL_DATABASE", "SQL_HOST", "SQL_PASSWORD", "SQL_PORT", "SQL_TYPE", "SQL_USER"], settings.Used);
    }

    [Fact]
    public void Read_PostgresWithoutPort_UsesTheOriginalsDefault5432()
    {
        var settings = Read(new() { ["SQL_TYPE"] = "postgresql", ["SQL_HOST"] = "db", ["SQL_DATABASE"] = "d", ["SQL_USER"] = "u" });

        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(settings.Values["Outpost:Storage:ConnectionString"]).Port);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("sqlite+pysqlite")]
    public void Read_Sqlite_SelectsOurSqlite_AndNeverTheOriginalsFile(string type)
    {
        var settings = Read(new() { ["SQL_TYPE"] = type, ["SQL_DATABASE_URL"] = "/tmp/sqlite.db" });

        Assert.Equal("Sqlite", settings.Values["Outpost:Storage:Provider"]);
        Assert.False(settings.Values.ContainsKey("Outpost:Storage:ConnectionString"));
        Assert.Equal(["SQL_DATABASE_URL"], settings.NotUsed);
    }

    [Fact]
    public void Read_OurStorageProvider_WinsOverSqlType_AndTheSqlVariablesAreNotUsed()
    {
        var settings = Read(new() { ["SQL_TYPE"] = "postgresql", ["SQL_HOST"] = "db" }, new() { ["Outpost:Storage:Provider"] = "Sqlite" });

        Assert.Empty(settings.Errors);
        Assert.Empty(settings.Values);
        Assert.Equal(["SQL_HOST", "SQL_TYPE"], settings.NotUsed);
    }

    [Fact]
    public void Read_OurConnectionString_WinsOverTheSqlVariables()
    {
        var settings = Read(new() { ["SQL_TYPE"] = "postgresql", ["SQL_HOST"] = "db" }, new() { ["Outpost:Storage:ConnectionString"] = "Host=ours" });

        Assert.Empty(settings.Errors);
        Assert.Equal("Postgres", settings.Values["Outpost:Storage:Provider"]);
        Assert.False(settings.Values.ContainsKey("Outpost:Storage:ConnectionString"));
    }

    [Theory]
    [InlineData("mysql", "", "SQL_TYPE: must be 'sqlite', 'sqlite+pysqlite' or 'postgresql', as in the original (got 'mysql').")]
    [InlineData("postgresql", "", "SQL_HOST: is required with SQL_TYPE=postgresql.")]
    [InlineData("postgresql", "99999", "SQL_PORT: must be a port number from 1 to 65535 (got '99999').")]
    public void Read_BadDatabaseVariables_ErrorNamesTheVariable(string type, string port, string error)
    {
        var environment = new Dictionary<string, string> { ["SQL_TYPE"] = type, ["SQL_DATABASE"] = "d", ["SQL_USER"] = "u" };
        if (port.Length > 0)
        {
            environment["SQL_HOST"] = "db";
            environment["SQL_PORT"] = port;
        }

        Assert.Equal([error], Read(environment).Errors);
    }

    [Fact]
    public void Read_CryptKey_DerivesOurKey_TheSameEveryTime_AndNotTheKeyItself()
    {
        var first = Read(new() { ["OUTPOST_CRYPT_KEY"] = FernetKey }).Values["Outpost:Storage:EncryptionKey"]!;
        var second = Read(new() { ["OUTPOST_CRYPT_KEY"] = FernetKey }).Values["Outpost:Storage:EncryptionKey"]!;

        Assert.Equal(first, second);
        Assert.Equal(32, Convert.FromBase64String(first).Length);
        Assert.NotEqual(Convert.FromBase64String(FernetKey.Replace('-', '+').Replace('_', '/')), Convert.FromBase64String(first));
    }

    [Fact]
    public void Read_CryptKeyThatIsNoFernetKey_ErrorNamesIt_WithoutTheValue()
    {
        var settings = Read(new() { ["OUTPOST_CRYPT_KEY"] = "not-a-key-but-secret" });

        Assert.Equal(["OUTPOST_CRYPT_KEY: is not a Fernet key (URL-safe base64 of 32 bytes, 44 characters), which the original requires too."], settings.Errors);
        Assert.Empty(settings.Values);
    }

    [Fact]
    public void Read_Cleanup_GivesEachHubItsUrlTokenAndInterval()
    {
        var settings = Read(new()
        {
            ["usernames"] = "hub-a;hub-b", ["passwords"] = "password-a;password-b",
            ["JUPYTERHUB_CLEANUP_NAMES"] = "hub-a;hub-b",
            ["JUPYTERHUB_CLEANUP_URLS"] = "https://a.example/hub/api/outpost;http://b.example/hub/api/outpost",
            ["JUPYTERHUB_CLEANUP_TOKENS"] = "token-a;token-b",
            ["JUPYTERHUB_CLEANUP_SLEEP_TIMER"] = "600",
        });

        Assert.Empty(settings.Errors);
        Assert.Equal("https://a.example/hub/api/outpost", settings.Values["Outpost:Hubs:hub-a:Cleanup:Url"]);
        Assert.Equal("token-b", settings.Values["Outpost:Hubs:hub-b:Cleanup:Token"]);
        Assert.Equal("600", settings.Values["Outpost:Hubs:hub-b:Cleanup:IntervalSeconds"]);
    }

    [Fact]
    public void Read_CleanupForAHubConfiguredByUs_IsMapped()
    {
        var settings = Read(
            new() { ["JUPYTERHUB_CLEANUP_NAMES"] = "ours", ["JUPYTERHUB_CLEANUP_URLS"] = "https://hub/x", ["JUPYTERHUB_CLEANUP_TOKENS"] = "t" },
            new() { ["Outpost:Hubs:ours:PasswordHash"] = "hash" });

        Assert.Empty(settings.Errors);
        Assert.Equal("t", settings.Values["Outpost:Hubs:ours:Cleanup:Token"]);
    }

    [Fact]
    public void Read_CheckServicesFalse_MapsNoCleanup_AndSaysSo()
    {
        var settings = Read(new()
        {
            ["CHECK_SERVICES"] = "false",
            ["JUPYTERHUB_CLEANUP_NAMES"] = "hub-a", ["JUPYTERHUB_CLEANUP_URLS"] = "https://hub/x", ["JUPYTERHUB_CLEANUP_TOKENS"] = "t",
        });

        Assert.Empty(settings.Errors);
        Assert.Empty(settings.Values);
        Assert.Equal(["CHECK_SERVICES", "JUPYTERHUB_CLEANUP_NAMES", "JUPYTERHUB_CLEANUP_TOKENS", "JUPYTERHUB_CLEANUP_URLS"], settings.NotUsed);
    }

    [Theory]
    [InlineData("hub-a;hub-b", "https://hub/x", "t", "JUPYTERHUB_CLEANUP_NAMES: JUPYTERHUB_CLEANUP_NAMES, JUPYTERHUB_CLEANUP_URLS and JUPYTERHUB_CLEANUP_TOKENS must have as many entries each (got 2, 1 and 1).")]
    [InlineData("other", "https://hub/x", "t", "JUPYTERHUB_CLEANUP_NAMES: entry 1 is not a hub of this Outpost (none in usernames or Outpost:Hubs has that name).")]
    [InlineData("hub-a", "ftp://hub/x", "t", "JUPYTERHUB_CLEANUP_URLS: entry 1 (hub 'hub-a') is not an http or https URL.")]
    [InlineData("hub-a", "https://hub/x", "", "JUPYTERHUB_CLEANUP_NAMES: the cleanup needs all of JUPYTERHUB_CLEANUP_NAMES, JUPYTERHUB_CLEANUP_URLS and JUPYTERHUB_CLEANUP_TOKENS; the original skips it silently without one of them.")]
    public void Read_BadCleanupVariables_ErrorNamesTheVariable(string names, string urls, string tokens, string error)
    {
        var settings = Read(new()
        {
            ["usernames"] = "hub-a", ["passwords"] = "password-a",
            ["JUPYTERHUB_CLEANUP_NAMES"] = names, ["JUPYTERHUB_CLEANUP_URLS"] = urls, ["JUPYTERHUB_CLEANUP_TOKENS"] = tokens,
        });

        Assert.Equal([error], settings.Errors);
    }

    [Fact]
    public void Read_EndDatesTimer_SetsOurRuntimeSweep()
    {
        var settings = Read(new() { ["CHECK_ENDDATES"] = "True", ["JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER"] = "45" });

        Assert.Equal("45", settings.Values["Outpost:RuntimeSweepSeconds"]);
        Assert.Equal(["CHECK_ENDDATES", "JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER"], settings.Used);
    }

    [Fact]
    public void Read_CheckEndDatesFalse_IsNotUsed_RuntimeLimitsStayOn()
    {
        var settings = Read(new() { ["CHECK_ENDDATES"] = "false", ["JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER"] = "45" });

        Assert.Empty(settings.Values);
        Assert.Equal(["CHECK_ENDDATES", "JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER"], settings.NotUsed);
    }

    [Theory]
    [InlineData("JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER", "0", "JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER: must be a whole number of seconds from 1 to 3600 (got '0').")]
    [InlineData("JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER", "1m", "JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER: must be a whole number of seconds from 1 to 3600 (got '1m').")]
    [InlineData("OUTPOST_BASE_PATH", "outpost", "OUTPOST_BASE_PATH: must start with '/' (got 'outpost').")]
    public void Read_BadServingVariables_ErrorNamesTheVariable(string variable, string value, string error) =>
        Assert.Equal([error], Read(new() { [variable] = value }).Errors);

    [Fact]
    public void Read_BasePath_SetsOurs_UnlessOursIsSet()
    {
        Assert.Equal("/outpost", Read(new() { ["OUTPOST_BASE_PATH"] = "/outpost" }).Values["Outpost:BasePath"]);
        Assert.Empty(Read(new() { ["OUTPOST_BASE_PATH"] = "/outpost" }, new() { ["Outpost:BasePath"] = "/ours" }).Values);
    }

    [Fact]
    public void Read_FlavorsFile_IsTaken_UnlessWeDefineFlavors()
    {
        var file = TempFile("flavors.yaml", "flavors:\n  typea:\n    max: 5\n");

        Assert.Equal(file, Read(new() { ["OUTPOST_FLAVORS_PATH"] = file }).FlavorsFile);
        var ours = Read(new() { ["OUTPOST_FLAVORS_PATH"] = file }, new() { ["Outpost:Flavors:Flavors:small:max"] = "1" });
        Assert.Null(ours.FlavorsFile);
        Assert.Equal(["OUTPOST_FLAVORS_PATH"], ours.NotUsed);
        // GlobalMaxPerUser is not in the original's flavors file: setting it here still takes the file.
        Assert.Equal(file, Read(new() { ["OUTPOST_FLAVORS_PATH"] = file }, new() { ["Outpost:Flavors:GlobalMaxPerUser"] = "2" }).FlavorsFile);
    }

    [Fact]
    public void Read_FlavorsFileMissingOrNotYaml_ErrorNamesTheVariable()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-flavors.yaml");
        var broken = TempFile("flavors.yaml", "flavors: [unclosed\n");

        Assert.Equal([$"OUTPOST_FLAVORS_PATH: names '{missing}', which is not a file."], Read(new() { ["OUTPOST_FLAVORS_PATH"] = missing }).Errors);
        var error = Assert.Single(Read(new() { ["OUTPOST_FLAVORS_PATH"] = broken }).Errors);
        Assert.StartsWith($"OUTPOST_FLAVORS_PATH: '{broken}' is not valid YAML: ", error);
    }

    [Fact]
    public void NotUsed_ListsTheOriginalsVariablesWithoutMeaningHere_AndNoOthers()
    {
        var settings = Read(new()
        {
            ["OUTPOST_CONFIG_FILE"] = "/mnt/outpost_config/outpost_config.py", ["LOGGING_CONFIG_PATH"] = "/x",
            ["GUNICORN_PROCESSES"] = "4", ["JUPYTERHUB_CLEANUP_K8S_CHECK"] = "true", ["HOME"] = "/root",
        });

        Assert.Equal(["GUNICORN_PROCESSES", "JUPYTERHUB_CLEANUP_K8S_CHECK", "LOGGING_CONFIG_PATH", "OUTPOST_CONFIG_FILE"], settings.NotUsed);
    }

    [Fact]
    public void Summary_NamesVariablesOnly()
    {
        var settings = Read(new()
        {
            ["usernames"] = "hub-a", ["passwords"] = "password-of-hub-a", ["OUTPOST_CRYPT_KEY"] = FernetKey,
            ["SQL_TYPE"] = "postgresql", ["SQL_HOST"] = "db", ["SQL_DATABASE"] = "d", ["SQL_USER"] = "u", ["SQL_PASSWORD"] = "database-password",
            ["OUTPOST_CONFIG_FILE"] = "/mnt/outpost_config/outpost_config.py",
        });

        var summary = settings.Summary();

        Assert.Equal("used OUTPOST_CRYPT_KEY, SQL_DATABASE, SQL_HOST, SQL_PASSWORD, SQL_TYPE, SQL_USER, passwords, usernames; "
            + "not used OUTPOST_CONFIG_FILE (docs/migrate-from-outpost.md says why)", summary);
        Assert.DoesNotContain("password-of-hub-a", summary);
        Assert.DoesNotContain("database-password", summary);
        Assert.DoesNotContain(FernetKey, summary);
    }

    [Fact]
    public void Summary_WithoutOriginalVariables_SaysNone() =>
        Assert.Equal("none", Read(new() { ["HOME"] = "/root" }).Summary());

    [Fact]
    public void Errors_NeverContainPasswordsTokensOrKeys()
    {
        var settings = Read(new()
        {
            ["usernames"] = "password-in-the-wrong-list", ["passwords"] = "hub-a;second-secret",
            ["OUTPOST_CRYPT_KEY"] = "crypt-secret-value",
            ["JUPYTERHUB_CLEANUP_NAMES"] = "nobody", ["JUPYTERHUB_CLEANUP_URLS"] = "https://hub/x", ["JUPYTERHUB_CLEANUP_TOKENS"] = "cleanup-token",
        });

        var errors = string.Join("\n", settings.Errors);
        Assert.NotEmpty(settings.Errors);
        foreach (var secret in new[] { "password-in-the-wrong-list", "second-secret", "crypt-secret-value", "cleanup-token" })
        {
            Assert.DoesNotContain(secret, errors);
        }
    }

    private static OriginalOutpostSettings Read(Dictionary<string, string> environment, Dictionary<string, string?>? ours = null) =>
        OriginalOutpostSettings.Read(environment, new ConfigurationBuilder().AddInMemoryCollection(ours ?? []).Build());

    private static string TempFile(string name, string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("original-").FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
