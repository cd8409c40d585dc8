namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// A test against a real cluster: it runs only when KUBECONFIG names a kubeconfig file, and is reported as skipped
/// (never as passed) otherwise. This is the one skip the Kubernetes tests allow.
/// </summary>
public sealed class KubeconfigFactAttribute : FactAttribute
{
    public const string NotRun = "KUBECONFIG not set: real-cluster test not run";

    public KubeconfigFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBECONFIG")))
        {
            Skip = NotRun;
        }
    }
}
