using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Flavors;
using Outpost.Hubs;

namespace Outpost.Servers;

/// <summary>
/// The "start a server" use case, in the order a request is checked: the body is read into a spec, the hub's
/// policy applied, the backend chosen (and asked what it would refuse), the flavor admitted; only then is
/// anything stored or counted, by <see cref="ServerStarter"/>.
/// </summary>
public sealed class StartServer(
    BackendCatalog backends,
    ServerProfiles profiles,
    QuotaPolicy quotas,
    IOptions<HubsOptions> hubs,
    ServerStarter starter)
{
    /// <summary>
    /// Starts what <paramref name="body"/> (read as JSON) asks for <paramref name="hub"/>, with the user's
    /// <paramref name="authState"/>; with <paramref name="waitForStart"/> the answer waits until the server runs.
    /// </summary>
    public async Task<StartServerResult> RunAsync(
        string hub, JsonElement body, IReadOnlyDictionary<string, string> authState, bool waitForStart, CancellationToken cancellationToken)
    {
        var request = StartRequestReader.Read(body);
        if (request is StartRequestResult.Invalid invalid)
        {
            return new StartServerResult.Invalid(invalid.Errors);
        }
        var spec = ((StartRequestResult.Valid)request).Spec;
        hubs.Value.Hubs.TryGetValue(hub, out var hubOptions);
        var problems = StartPolicy.Check(spec, hub, hubOptions);
        if (problems.Count > 0)
        {
            return Refused(Refusal.Of($"{DisplayName(spec)}: {string.Join(" ", problems)}"));
        }
        var key = new ServerKey(hub, spec.Name, spec.StartId);
        IBackend backend;
        try
        {
            backend = profiles.SelectBackend(spec, backends);
            // What the backend would refuse is refused here, before anything is stored or counted.
            if (backend.Check(key, spec) is { } refusal)
            {
                return Refused(Refusal.Of($"{DisplayName(spec)}: {refusal}"));
            }
        }
        catch (BackendFieldException ex)
        {
            // An unknown profile or choice is an invalid field of the request, not a refusal.
            return new StartServerResult.Invalid(ex.Errors);
        }
        catch (Exception ex) when (ex is OutpostRefusal or BackendException)
        {
            return Refused(Refusal.From(ex));
        }
        FlavorAdmission admission;
        switch (quotas.Admit(hub, spec, body.TryGetProperty("authentication", out var authentication) ? authentication : null))
        {
            case QuotaDecision.Admitted admitted:
                admission = admitted.Admission;
                break;
            case QuotaDecision.Refused quotaRefused:
                return Refused(Refusal.Of(quotaRefused.Message));
            default:
                throw new UnreachableException("QuotaDecision has two cases");
        }
        try
        {
            var service = await starter.StartAsync(hub, spec, backend, admission, authState, waitForStart, cancellationToken);
            return waitForStart ? new StartServerResult.Started(service) : new StartServerResult.Accepted();
        }
        catch (Exception ex) when (ex is OutpostRefusal or BackendException)
        {
            return Refused(Refusal.From(ex));
        }
    }

    private static StartServerResult.Refused Refused(Refusal refusal) => new(refusal);

    private static string DisplayName(ServerSpec spec) => $"{spec.UserName}:{(spec.Name.Length == 0 ? "(default)" : spec.Name)}";
}
