using System.Security.Cryptography;
using Outpost.Storage;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Storage;

public sealed class SecretProtectorTests
{
    private static readonly SecretProtector Protector = new(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData("")]
    [InlineData("secret-token")]
    [InlineData("ünïcødé 🚀 and a long tail .........................................................")]
    public void Unprotect_ProtectedText_RoundTrips(string text) => Assert.Equal(text, Protector.Unprotect(Protector.Protect(text)));

    [Fact]
    public void Protect_SameText_GivesDifferentBytes() =>
        Assert.NotEqual(Protector.Protect("same"), Protector.Protect("same"));

    [Fact]
    public void Protect_Text_DoesNotContainThePlaintext()
    {
        var data = Protector.Protect("PLAINTEXT-MARKER");

        Assert.DoesNotContain("PLAINTEXT-MARKER", System.Text.Encoding.UTF8.GetString(data));
        Assert.Equal(1, data[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(-1)]
    public void Unprotect_TamperedByte_Throws(int index)
    {
        var data = Protector.Protect("secret-token");
        var at = index < 0 ? data.Length + index : index;
        data[at] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(28)]
    public void Unprotect_TooShort_Throws(int length) =>
        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect(new byte[length]));

    [Fact]
    public void Unprotect_WrongKey_Throws()
    {
        var other = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(Protector.Protect("secret-token")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Constructor_KeyNot32Bytes_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => new SecretProtector(new byte[length]));

    [Fact]
    public void FromConfiguredOrFile_NoKeyFile_CreatesItWithMode0600()
    {
        using var temp = new TempDirectory();
        var keyFile = Path.Combine(temp.Path, "sub", "secret.key");

        SecretProtector.FromConfiguredOrFile(null, keyFile);

        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(keyFile).Trim()).Length);
    }

    [Fact]
    public void FromConfiguredOrFile_ExistingKeyFile_IsReused()
    {
        using var temp = new TempDirectory();
        var keyFile = temp.File("secret.key");
        var first = SecretProtector.FromConfiguredOrFile("", keyFile);
        var keyText = File.ReadAllText(keyFile);

        var second = SecretProtector.FromConfiguredOrFile(" ", keyFile);

        Assert.Equal("secret-token", second.Unprotect(first.Protect("secret-token")));
        Assert.Equal(keyText, File.ReadAllText(keyFile));
    }

    [Fact]
    public void FromConfiguredOrFile_ConfiguredKey_WinsOverFile()
    {
        using var temp = new TempDirectory();
        var keyFile = temp.File("secret.key");
        var fromFile = SecretProtector.FromConfiguredOrFile(null, keyFile);
        var key = RandomNumberGenerator.GetBytes(32);

        var configured = SecretProtector.FromConfiguredOrFile(Convert.ToBase64String(key), keyFile);

        Assert.Equal("secret-token", new SecretProtector(key).Unprotect(configured.Protect("secret-token")));
        Assert.ThrowsAny<CryptographicException>(() => fromFile.Unprotect(configured.Protect("secret-token")));
    }

    [Fact]
    public void FromConfiguredOrFile_ConfiguredKey_CreatesNoFile()
    {
        using var temp = new TempDirectory();
        var keyFile = temp.File("secret.key");

        SecretProtector.FromConfiguredOrFile(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), keyFile);

        Assert.False(File.Exists(keyFile));
    }
}
