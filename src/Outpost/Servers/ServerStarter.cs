using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// Stores a start (name and quota checked in the insert's transaction) and hands it to <see cref="StartRunner"/>:
/// awaited for a synchronous start, in the background for an asynchronous one.
/// </summary>
public sealed partial class ServerStarter(
    IServerStore store,
    ServerSpecCodec codec,
    ServerLocks locks,
    ServerEvents events,
    AuthStateCache authStates,
    FlavorUpdates flavorUpdates,
    StartRunner runner,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ServerStarter> logger)
{
    /// <summary>How long a synchronous start waits for its last progress events to reach the hub before it answers.</summary>
    private static readonly TimeSpan SyncEventWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Stores the server and starts it. With <paramref name="waitForStart"/> the result is the service
    /// address; otherwise the start runs in the background and the result is empty.
    /// Throws <see cref="OutpostRefusal"/> when the name is taken or a limit of <paramref name="admission"/>
    /// is reached, and <see cref="BackendException"/> when the start fails; a failed synchronous start is removed,
    /// as the original Outpost does (the hub gets the 419 and nothing stays behind).
    /// </summary>
    public async Task<string> StartAsync(
        string hub, ServerSpec spec, IBackend backend, FlavorAdmission admission, IReadOnlyDictionary<string, string> authState, bool waitForStart, CancellationToken cancellationToken)
    {
        var requestedAt = time.GetTimestamp();
        spec = spec with { Flavor = admission.FlavorName, RuntimeLimit = admission.Runtime };
        var key = new ServerKey(hub, spec.Name, spec.StartId);
        using (await locks.AcquireAsync(key, cancellationToken))
        {
            var outcome = await store.InsertAsync(new ServerRecord
            {
                Key = key,
                UserName = spec.UserName,
                UserId = spec.UserId,
                Backend = backend.Name,
                Flavor = spec.Flavor,
                ResourceName = ResourceNames.ForServer(key, spec.UserName),
                ProtectedSpec = codec.Protect(spec),
            }, admission.Quota, cancellationToken);
            if (outcome.Exceeded is { } limit)
            {
                throw new OutpostRefusal(admission.Describe(limit));
            }
            if (!outcome.Succeeded)
            {
                throw new OutpostRefusal(
                    $"Server '{DisplayName(key)}' of user '{spec.UserName}' is already {outcome.Blocking!.Phase.ToString().ToLowerInvariant()} on this Outpost; stop it first.");
            }
            authStates.Set(key, authState);
            var run = new StartRunner.Run(outcome.Inserted!, spec, backend, authState, admission.Definition, Synchronous: waitForStart, requestedAt)
            {
                Gathering = events.GatherStart(key),
            };
            run.Progress(await events.RecordAsync(key, spec, new ProgressEvent(0, "Server requested"), CancellationToken.None));
            if (!waitForStart)
            {
                await flavorUpdates.NotifyAsync(hub, spec, CancellationToken.None);
                _ = Task.Run(() => RunInBackgroundAsync(run));
                return "";
            }
            var address = await runner.RunAsync(run);
            // The original relays a start's events before it answers: the user's progress page shows all of them.
            await events.WaitDeliveredAsync(run.LastEventId, SyncEventWait);
            return address;
        }
    }

    /// <summary>A background start: it waits for the server's lock, which the request that stored it holds until it answers.</summary>
    private async Task RunInBackgroundAsync(StartRunner.Run run)
    {
        try
        {
            using (await locks.AcquireAsync(run.Record.Key, lifetime.ApplicationStopping))
            {
                await runner.RunAsync(run);
            }
        }
        catch (Exception ex)
        {
            // The failure is already persisted and announced; nobody awaits a background start.
            Log.BackgroundStartEnded(logger, run.Record.Key.ToString(), ex.Message);
        }
    }

    private static string DisplayName(ServerKey key) => key.Name.Length == 0 ? "(default)" : key.Name;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerBackgroundStartEnded, Level = LogLevel.Debug, Message = "Background start of {Server} ended: {Reason}")]
        public static partial void BackgroundStartEnded(ILogger logger, string server, string reason);
    }
}
