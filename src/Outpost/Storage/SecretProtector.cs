using System.Security.Cryptography;
using System.Text;

namespace Outpost.Storage;

/// <summary>
/// Encrypts what must not be readable at rest (request env with the hub's token, certs, backend handles)
/// with AES-256-GCM. Layout: version byte 1 | 12-byte nonce | ciphertext | 16-byte tag.
/// </summary>
public sealed class SecretProtector
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The encryption key must be 32 bytes.", nameof(key));
        }
        _key = key;
    }

    public byte[] Protect(string plaintext)
    {
        var input = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[1 + NonceSize + input.Length + TagSize];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, input, output.AsSpan(1 + NonceSize, input.Length), output.AsSpan(output.Length - TagSize));
        return output;
    }

    public string Unprotect(byte[] protectedData)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version)
        {
            throw new CryptographicException("Stored secret has an unknown format.");
        }
        var cipherLength = protectedData.Length - 1 - NonceSize - TagSize;
        var plaintext = new byte[cipherLength];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(
            protectedData.AsSpan(1, NonceSize),
            protectedData.AsSpan(1 + NonceSize, cipherLength),
            protectedData.AsSpan(protectedData.Length - TagSize),
            plaintext);
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>The configured key, or the one in <paramref name="keyFile"/>, created (0600) on first use.</summary>
    public static SecretProtector FromConfiguredOrFile(string? base64Key, string keyFile)
    {
        if (!string.IsNullOrWhiteSpace(base64Key))
        {
            return new SecretProtector(Convert.FromBase64String(base64Key));
        }
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!, DataDirectory.FolderMode);
            var key = RandomNumberGenerator.GetBytes(32);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            try
            {
                using var stream = new FileStream(keyFile, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            }
            catch (IOException) when (File.Exists(keyFile))
            {
                // Another process created it first; use theirs.
            }
        }
        return new SecretProtector(Convert.FromBase64String(File.ReadAllText(keyFile).Trim()));
    }
}
