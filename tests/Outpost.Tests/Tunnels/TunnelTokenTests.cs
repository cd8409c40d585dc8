using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

public class TunnelTokenTests
{
    private const string Secret = "0123456789abcdef-secret";

    [Fact]
    public void Only_the_exact_bearer_token_is_accepted()
    {
        var token = new TunnelToken(Secret);
        Assert.True(token.Accepts($"Bearer {Secret}"));
        Assert.False(token.Accepts($"Bearer {Secret}x"));
        Assert.False(token.Accepts($"Bearer {Secret[..^1]}"));
        Assert.False(token.Accepts($"Basic {Secret}"));
        Assert.False(token.Accepts(Secret));
        Assert.False(token.Accepts(null));
        Assert.False(token.Accepts("Bearer "));
    }

    [Fact]
    public void Short_tokens_are_refused() =>
        Assert.Equal("token", Assert.Throws<TunnelInputException>(() => new TunnelToken("short")).Field);

    [Fact]
    public void The_environment_wins_over_the_file_and_the_file_is_trimmed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tunnelsvc-token-{Guid.NewGuid():N}");
        File.WriteAllText(file, Secret + "\n");
        try
        {
            Assert.True(TunnelToken.Load(file, _ => null).Accepts($"Bearer {Secret}"));
            var fromEnvironment = TunnelToken.Load(file, name => name == "OUTPOST_TUNNEL_TOKEN" ? "another-token-of-16+" : null);
            Assert.True(fromEnvironment.Accepts("Bearer another-token-of-16+"));
            Assert.False(fromEnvironment.Accepts($"Bearer {Secret}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Without_file_or_variable_the_option_is_named() =>
        Assert.Equal("--token-file", Assert.Throws<TunnelInputException>(() => TunnelToken.Load(null, _ => null)).Field);
}
