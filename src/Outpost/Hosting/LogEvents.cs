namespace Outpost.Hosting;

/// <summary>Event ids of the Outpost's log messages, in one place so they stay unique.</summary>
public static class LogEvents
{
    public const int OriginalSettingsUsed = 10;
    public const int OriginalSettingsNotUsed = 11;
    public const int ServerStarting = 100;
    public const int ServerStarted = 101;
    public const int ServerStartFailed = 102;
    public const int ServerStopped = 103;
    public const int ServerStopFailed = 104;
    public const int ServerExited = 105;
    public const int ServerAdopted = 110;
    public const int ServerRecoveredFailed = 111;
    public const int ReconcileFailed = 112;
    public const int ServersAdopted = 113;
    public const int RuntimeExpired = 120;
    public const int RuntimeSweepFailed = 121;
    public const int OrphanStopped = 122;
    public const int OrphanCheckSkipped = 123;
    public const int FailedStartRemoved = 124;
    public const int OrphanSweepFailed = 125;
    public const int FlavorsReloaded = 130;
    public const int FlavorsReloadRejected = 131;
    public const int RelayPassFailed = 200;
    public const int EventRejected = 201;
    public const int EventRetry = 202;
    public const int EventDropped = 203;
    public const int EventDeliveryInterrupted = 204;
    public const int LocalProcessSpawned = 300;
    public const int LocalProcessSignal = 301;
    // Batch-scheduler backends (Slurm, Grid Engine): the message names the scheduler.
    public const int BatchJobSubmitted = 400;
    public const int BatchJobRunning = 401;
    public const int BatchQueryFailed = 402;
    public const int BatchStartTimedOut = 403;
    public const int BatchCancelFailed = 404;
    public const int BatchJobVanished = 405;
    public const int BatchLogsUnreadable = 406;
    public const int BatchJobCancelled = 407;
    public const int BatchCommandFailed = 408;
    public const int SpawnerHostStarted = 450;
    public const int SpawnerHostEnded = 451;
    public const int SpawnerHostRestartFailed = 452;
    public const int SpawnerHostOutput = 453;
    public const int SpawnerHostProtocol = 454;
    public const int SpawnerCallFailed = 455;
    public const int SpawnerConfigInvalid = 456;
    public const int SpawnerConfigLoaded = 457;
    public const int SpawnerHostHung = 458;
    public const int SshHostsStarted = 470;
    public const int SshHostsHostDown = 471;
    public const int SshHostsStopped = 472;
    public const int SshHostsForwardFailed = 473;
    public const int ContainerStarted = 480;
    public const int ContainerRemoved = 481;
    public const int ContainerOrphan = 482;
    public const int DatabaseWaiting = 500;
    public const int DatabaseReady = 501;
    public const int DatabaseUnavailable = 502;
    public const int ReplicaJoined = 510;
    public const int LeaderElected = 511;
    public const int LeaderSteppedDown = 512;
    public const int LeaseRenewFailed = 513;
    public const int LeaseReleaseFailed = 514;
    public const int ReplicaGone = 520;
    public const int AuthFailuresLimited = 600;
    public const int AdminStopRequested = 700;
    // sshd restart announcements to hubs
    public const int SshdRestartAnnounced = 720;
    public const int SshdRestartDetected = 721;
    public const int SshdAnnouncementFailed = 722;
}
