namespace Outpost.IntegrationTests.Backends.GridEngine;

/// <summary>
/// A test against a real Grid Engine. It runs whenever the Outpost's tests run as root on Debian (the fixture installs
/// the packages if needed and starts private daemons in a network namespace); elsewhere it is skipped with the reason.
/// </summary>
public sealed class GridEngineFactAttribute : FactAttribute
{
    public GridEngineFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/dpkg"))
        {
            Skip = "real-Grid-Engine tests need Debian (dpkg, apt) to install gridengine-master, -exec and -client";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "real-Grid-Engine tests need root: they create a network namespace and start sge_qmaster and sge_execd in it";
        }
    }
}
