using System.Security.Cryptography;
using System.Text;

namespace Outpost.Tunnels;

/// <summary>The bearer token of the tunnel API, compared in constant time.</summary>
public sealed class TunnelToken
{
    private readonly byte[] _expected;

    public TunnelToken(string token)
    {
        if (token.Length < 16)
        {
            throw new TunnelInputException("token", "must be at least 16 characters");
        }
        _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Reads <c>OUTPOST_TUNNEL_TOKEN</c>, else the file named by <paramref name="tokenFile"/>.</summary>
    public static TunnelToken Load(string? tokenFile, Func<string, string?> environment)
    {
        var fromEnvironment = environment("OUTPOST_TUNNEL_TOKEN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return new TunnelToken(fromEnvironment);
        }
        if (string.IsNullOrEmpty(tokenFile))
        {
            throw new TunnelInputException("--token-file", "give a token file or set OUTPOST_TUNNEL_TOKEN");
        }
        return new TunnelToken(File.ReadAllText(tokenFile).Trim());
    }

    /// <summary>True when <paramref name="authorization"/> is <c>Bearer &lt;token&gt;</c> with the right token.</summary>
    public bool Accepts(string? authorization)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        // Hashing first makes both sides the same length, so the comparison time does not reveal the token's length.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[prefix.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
