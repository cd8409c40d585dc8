using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Outpost.Storage;

namespace Outpost.Hosting;

public sealed partial class OriginalOutpostSettings
{
    private const string Storage = "Outpost:Storage";

    /// <summary>Says what the derived key is for, so the same Fernet key never yields the same bytes for another use.</summary>
    private static ReadOnlySpan<byte> EncryptionKeyInfo => "outpost storage encryption key from OUTPOST_CRYPT_KEY"u8;

    /// <summary>
    /// <c>OUTPOST_CRYPT_KEY</c> and <c>SQL_TYPE</c> with the PostgreSQL connection variables. The original's database
    /// itself is never read: <c>SQL_DATABASE_URL</c> (its SQLite file) gives nothing here.
    /// </summary>
    private void ReadStorage()
    {
        if (Get(CryptKey) is { } cryptKey)
        {
            if (TryDecodeFernetKey(cryptKey) is { } keyBytes)
            {
                // Our key is derived from the original's (HKDF-SHA256) rather than taken as it is: Fernet uses its halves
                // for HMAC and AES-128-CBC, ours is one AES-256-GCM key; so no key serves two algorithms.
                var derived = new byte[32];
                HKDF.DeriveKey(HashAlgorithmName.SHA256, keyBytes, derived, salt: [], info: EncryptionKeyInfo);
                Set(CryptKey, $"{Storage}:{nameof(StorageOptions.EncryptionKey)}", Convert.ToBase64String(derived));
            }
            else
            {
                Error(CryptKey, "is not a Fernet key (URL-safe base64 of 32 bytes, 44 characters), which the original requires too.");
            }
        }
        if (Get(SqlType) is not { } type)
        {
            return; // the original's default is its own SQLite file, which this Outpost does not read
        }
        var provider = type switch
        {
            "sqlite" or "sqlite+pysqlite" => StorageOptions.Sqlite,
            "postgresql" => StorageOptions.Postgres,
            _ => null,
        };
        if (provider is null)
        {
            Error(SqlType, $"must be 'sqlite', 'sqlite+pysqlite' or 'postgresql', as in the original (got '{type}').");
            return;
        }
        var ourProvider = _ours[$"{Storage}:{nameof(StorageOptions.Provider)}"];
        if (ourProvider is not null && !string.Equals(ourProvider, provider, StringComparison.OrdinalIgnoreCase))
        {
            return; // ours chose another database: none of the SQL_* variables apply
        }
        Set(SqlType, $"{Storage}:{nameof(StorageOptions.Provider)}", provider);
        if (provider == StorageOptions.Postgres && _ours[$"{Storage}:{nameof(StorageOptions.ConnectionString)}"] is null)
        {
            ReadPostgresConnection();
        }
    }

    private void ReadPostgresConnection()
    {
        var missing = new[] { SqlHost, SqlDatabase, SqlUser }.Where(v => string.IsNullOrEmpty(Get(v))).ToList();
        if (missing.Count > 0)
        {
            foreach (var variable in missing)
            {
                Error(variable, $"is required with {SqlType}=postgresql.");
            }
            return;
        }
        var port = 5432; // the original's default
        if (Get(SqlPort) is { } portText
            && !(int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535))
        {
            Error(SqlPort, $"must be a port number from 1 to 65535 (got '{portText}').");
            return;
        }
        // The builder quotes values, so a password with ';' or '=' cannot change other settings.
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = Get(SqlHost),
            Port = port,
            Database = Get(SqlDatabase),
            Username = Get(SqlUser),
        };
        if (Get(SqlPassword) is { Length: > 0 } password)
        {
            connection.Password = password;
            _used.Add(SqlPassword);
        }
        Set(SqlHost, $"{Storage}:{nameof(StorageOptions.ConnectionString)}", connection.ConnectionString);
        _used.UnionWith(new[] { SqlDatabase, SqlUser, SqlPort }.Where(_environment.ContainsKey));
    }

    /// <summary>The 32 bytes of a Fernet key (URL-safe base64 with padding), or null.</summary>
    private static byte[]? TryDecodeFernetKey(string value)
    {
        var standard = value.Trim().Replace('-', '+').Replace('_', '/');
        var buffer = new byte[33];
        return Convert.TryFromBase64String(standard, buffer, out var written) && written == 32 ? buffer[..32] : null;
    }
}
