namespace Outpost.IntegrationTests.Backends.Slurm;

/// <summary>
/// A test against a real Slurm. It runs whenever the Outpost's tests run as root on Debian (the fixture installs the
/// packages if needed and starts private daemons); elsewhere it is skipped with the reason.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/dpkg"))
        {
            Skip = "real-Slurm tests need Debian (dpkg, apt) to install slurmctld, slurmd and munge";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "real-Slurm tests need root: they start munged, slurmctld and slurmd on 127.0.0.1";
        }
    }
}
