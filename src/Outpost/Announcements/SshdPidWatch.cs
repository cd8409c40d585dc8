namespace Outpost.Announcements;

/// <summary>
/// Tells a restart of a separately running sshd from its pid file: the file holds another pid than last
/// time. A missing or empty file (sshd down, or between stop and start) is no restart by itself; the new pid
/// that follows is. The first reading only sets the baseline: start-up is announced anyway.
/// </summary>
public sealed class SshdPidWatch
{
    private string? _lastPid;

    /// <summary>Takes the pid file's content (null when unreadable); true when sshd restarted since the last pid seen.</summary>
    public bool Observe(string? content)
    {
        var pid = content?.Trim();
        if (string.IsNullOrEmpty(pid) || !pid.All(char.IsAsciiDigit))
        {
            return false;
        }
        var restarted = _lastPid is not null && _lastPid != pid;
        _lastPid = pid;
        return restarted;
    }
}
