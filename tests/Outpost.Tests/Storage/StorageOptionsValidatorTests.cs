using System.Security.Cryptography;
using Outpost.Storage;

namespace Outpost.Tests.Storage;

public sealed class StorageOptionsValidatorTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Validate_Defaults_AreValid() =>
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);

    [Fact]
    public void Validate_PostgresWithConnectionStringAndKey_IsValid() =>
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = "postgres", ConnectionString = "Host=db", EncryptionKey = Key }).Succeeded);

    [Fact]
    public void Validate_PostgresWithoutConnectionStringOrKey_NamesBothKeys()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = "Postgres" });

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:Storage:ConnectionString is required", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:Storage:EncryptionKey is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadValues_AreEachReported()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = "Mongo", EncryptionKey = "c2hvcnQ=", StartupTimeoutSeconds = -1 });

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Outpost:Storage:Provider must be 'Sqlite' or 'Postgres' (got 'Mongo')"));
        Assert.Contains(result.Failures!, f => f.Contains("Outpost:Storage:EncryptionKey must be base64 of exactly 32 bytes"));
        Assert.Contains(result.Failures!, f => f.Contains("Outpost:Storage:StartupTimeoutSeconds must be between 0 and 3600 (got -1)"));
    }
}
