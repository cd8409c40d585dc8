using System.Text;
using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

public sealed class AuthStateKeyTests
{
    private const string Pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----";

    [Fact]
    public void DecodeKey_TakesPemWithEscapedLineBreaks_OrBase64()
    {
        Assert.Equal(Pem + "\n", SshHostsBackend.DecodeKey(Pem.Replace("\n", "\\n", StringComparison.Ordinal)));
        Assert.Equal(Pem + "\n", SshHostsBackend.DecodeKey(Convert.ToBase64String(Encoding.UTF8.GetBytes(Pem + "\n"))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("aGVsbG8=")]
    [InlineData("-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----")]
    public void DecodeKey_RefusesWhatIsNoPrivateKey(string value)
    {
        Assert.Null(SshHostsBackend.DecodeKey(value));
    }
}
