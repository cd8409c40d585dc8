using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class SecretRedactorTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["JUPYTERHUB_API_TOKEN"] = "abcdef123456",
        ["JUPYTERHUB_OAUTH_CLIENT_SECRET"] = "s3cr3t-value",
        ["DB_PASSWORD"] = "hunter22",
        ["JUPYTERHUB_USER"] = "alice-the-user",
        ["MY_TOKEN"] = "short",
    };

    [Fact]
    public void Redact_ReplacesEverySecretValue_AndKeepsTheRest()
    {
        var text = "token=abcdef123456 secret s3cr3t-value pw hunter22 for alice-the-user (abcdef123456) short";
        Assert.Equal("token=[redacted] secret [redacted] pw [redacted] for alice-the-user ([redacted]) short", SecretRedactor.Redact(text, Env));
    }

    [Theory]
    [InlineData("JUPYTERHUB_API_TOKEN", true)]
    [InlineData("JPY_API_TOKEN", true)]
    [InlineData("aws_secret_access_key", true)]
    [InlineData("JUPYTERHUB_USER", false)]
    [InlineData("JUPYTERHUB_SSL_KEYFILE", false)]
    public void IsSecret_ByName(string name, bool secret) => Assert.Equal(secret, SecretRedactor.IsSecret(name));
}
