using Microsoft.Extensions.Options;

namespace Outpost.Storage;

/// <summary>Checks <c>Outpost:Storage</c> at start-up, naming each bad key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        var known = string.Equals(options.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) || options.IsPostgres;
        if (!known)
        {
            errors.Add($"Outpost:Storage:Provider must be '{StorageOptions.Sqlite}' or '{StorageOptions.Postgres}' (got '{options.Provider}').");
        }
        if (options.IsPostgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("Outpost:Storage:ConnectionString is required with the Postgres provider (e.g. from the environment variable Outpost__Storage__ConnectionString).");
        }
        if (options.IsPostgres && string.IsNullOrWhiteSpace(options.EncryptionKey))
        {
            errors.Add("Outpost:Storage:EncryptionKey is required with the Postgres provider: every replica must decrypt what the others stored (base64 of 32 bytes).");
        }
        if (!string.IsNullOrWhiteSpace(options.EncryptionKey) && !IsKey(options.EncryptionKey))
        {
            errors.Add("Outpost:Storage:EncryptionKey must be base64 of exactly 32 bytes.");
        }
        if (options.StartupTimeoutSeconds is < 0 or > 3600)
        {
            errors.Add($"Outpost:Storage:StartupTimeoutSeconds must be between 0 and 3600 (got {options.StartupTimeoutSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsKey(string base64)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == 32;
    }
}
