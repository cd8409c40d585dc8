namespace Outpost.Announcements;

/// <summary>Options of the sshd restart announcements, bound to <c>Outpost:SshdAnnouncements</c>.</summary>
public sealed class SshdAnnouncementOptions
{
    /// <summary>Whether hubs are told when the Outpost or its sshd restarted. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Pid file of an sshd that runs apart from the Outpost (its own container): a new pid there is announced
    /// like an Outpost restart. Default none (only the Outpost's own start-up is announced).
    /// </summary>
    public string? SshdPidFile { get; set; }

    /// <summary>How often the pid file is read, in seconds. Default 5.</summary>
    public int CheckSeconds { get; set; } = 5;
}
