using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class PasswordHashTests
{
    // The smallest iteration count the format accepts keeps these tests fast.
    private const int FastIterations = 10_000;
    private static readonly string Hash = PasswordHash.Create("correct horse", FastIterations);

    [Fact]
    public void Verify_RightPassword_IsTrue() => Assert.True(PasswordHash.Verify("correct horse", Hash));

    [Theory]
    [InlineData("")]
    [InlineData("correct horse ")]
    [InlineData("Correct horse")]
    [InlineData("correct")]
    public void Verify_WrongPassword_IsFalse(string password) => Assert.False(PasswordHash.Verify(password, Hash));

    [Fact]
    public void Create_SamePassword_UsesDifferentSalts() =>
        Assert.NotEqual(PasswordHash.Create("pw", FastIterations), PasswordHash.Create("pw", FastIterations));

    [Fact]
    public void Create_Hash_HasTheDocumentedShape()
    {
        var parts = Hash.Split('$');

        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("10000", parts[1]);
        Assert.True(PasswordHash.IsWellFormed(Hash));
    }

    public static TheoryData<string> MalformedHashes()
    {
        var parts = Hash.Split('$');
        var (salt, hash) = (parts[2], parts[3]);
        return
        [
            "",
            "correct horse",
            "$$$",
            $"pbkdf2-sha512$10000${salt}${hash}",
            $"PBKDF2-SHA256$10000${salt}${hash}",
            $"pbkdf2-sha256$9999${salt}${hash}",
            $"pbkdf2-sha256$-10000${salt}${hash}",
            $"pbkdf2-sha256$+10000${salt}${hash}",
            $"pbkdf2-sha256$ten${salt}${hash}",
            $"pbkdf2-sha256$99999999999${salt}${hash}",
            $"pbkdf2-sha256$10000$not base64!${hash}",
            $"pbkdf2-sha256$10000${salt}$not base64!",
            $"pbkdf2-sha256$10000$AAAA${hash}",
            $"pbkdf2-sha256$10000${salt}$AAAA",
            $"pbkdf2-sha256$10000${salt}",
            $"pbkdf2-sha256$10000${salt}${hash}$extra",
        ];
    }

    [Theory]
    [MemberData(nameof(MalformedHashes))]
    public void Verify_MalformedHash_NeverMatches(string encoded)
    {
        Assert.False(PasswordHash.IsWellFormed(encoded));
        Assert.False(PasswordHash.Verify("correct horse", encoded));
        Assert.False(PasswordHash.Verify("", encoded));
    }
}
