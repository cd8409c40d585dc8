using System.Text.Json;
using Outpost.Backends;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Kubernetes;

/// <summary>Start requests for the pure builder tests.</summary>
internal static class Requests
{
    public static BackendStartRequest Make(
        string hub = "hub-a", string user = "alice", string server = "", string startId = "1",
        string misc = "{}", ServerCerts? certs = null, string? profile = null, Dictionary<string, string>? env = null,
        string userOptions = "{}")
    {
        var spec = new ServerSpec
        {
            Name = server,
            StartId = startId,
            Env = env ?? new Dictionary<string, string>
            {
                [HubEnv.User] = user,
                [HubEnv.UserId] = "7",
                [HubEnv.ApiToken] = "token-123",
                [HubEnv.ServiceUrl] = $"http://hub-host:9999/user/{user}/{server}",
            },
            Misc = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(misc)!,
            Certs = certs,
            Profile = profile,
            UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptions)!,
        };
        return new BackendStartRequest(new ServerKey(hub, server, startId), spec, $"{hub}-{user}-{server}-{startId}", "/tmp");
    }
}
