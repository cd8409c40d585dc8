using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

/// <summary>
/// HTTP Basic authentication where the user name is the hub's name. Failures answer 401 with the
/// original Outpost's <c>{"detail": ...}</c> bodies and <c>WWW-Authenticate: Basic</c>. A client address or hub
/// name with too many recent failures is answered 429 with <c>Retry-After</c> before its password is checked
/// (<see cref="HubAuthLimiter"/>).
/// </summary>
public sealed class HubAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    HubCredentials credentials,
    HubAuthLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HubBasic";
    private const string FailureKey = "Outpost.AuthFailure";
    private const string RetryAfterKey = "Outpost.AuthRetryAfter";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.GetEndpoint()?.Metadata.GetMetadata<NotForHubsMetadata>() is not null)
        {
            // A route with a credential of its own (the status page): whatever is sent there is not a hub's
            // login, so it costs no PBKDF2 here and no hub's failure count.
            return AuthenticateResult.NoResult();
        }
        if (Request.Headers.Authorization.Count == 0)
        {
            // Anonymous routes (/ping, /health, /metrics) come here on every call: no result, not a failure,
            // so nothing is logged at Information; a protected route still challenges with "Not authenticated".
            return AuthenticateResult.NoResult();
        }
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return Fail("Not authenticated");
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return Fail("Not authenticated");
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            return Fail("Not authenticated");
        }
        var hub = decoded[..colon];
        var address = HubAuthLimiter.AddressKey(Context.Connection.RemoteIpAddress);
        if (limiter.RetryAfter(address, hub) is { } retryAfter)
        {
            Context.Items[RetryAfterKey] = retryAfter;
            return Fail("Too many failed authentication attempts; retry later");
        }
        if (!await credentials.VerifyAsync(hub, decoded[(colon + 1)..], Context.RequestAborted))
        {
            limiter.Failed(address, hub);
            return Fail("Incorrect username or password");
        }
        limiter.Succeeded(address, hub);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, hub)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Context.Items[FailureKey] as string ?? "Not authenticated";
        if (Context.Items[RetryAfterKey] is TimeSpan retryAfter)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Response.WriteAsJsonAsync(new Dictionary<string, string> { ["detail"] = detail }, Wire.WireJson.Strings);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic";
        await Response.WriteAsJsonAsync(new Dictionary<string, string> { ["detail"] = detail }, Wire.WireJson.Strings);
    }

    private AuthenticateResult Fail(string detail)
    {
        Context.Items[FailureKey] = detail;
        return AuthenticateResult.Fail(detail);
    }
}
