namespace Outpost.IntegrationTests.Backends;

/// <summary>Backend names and relay settings that would fail later are start-up errors, listed together.</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public async Task Start_UnknownDefaultBackend_UnknownProfileBackend_AndBadEvents_AreListedTogether()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(new()
        {
            ["Outpost:Backends:Default"] = "Lokal",
            ["Outpost:Profiles:gpu:Backend"] = "Kubernetes",
            ["Outpost:Events:Parallelism"] = "0",
            ["Outpost:Events:TimeoutSeconds"] = "-1",
        }));

        var text = error.ToString();
        Assert.Contains("Outpost:Backends:Default is 'Lokal'", text);
        Assert.Contains("Outpost:Profiles:gpu:Backend is 'Kubernetes'", text);
        Assert.Contains("Outpost:Events:Parallelism", text);
        Assert.Contains("Outpost:Events:TimeoutSeconds", text);
    }

    [Fact]
    public async Task Start_ProfileWithoutBackend_FailsNamingTheKey_WhileCaseOfAConfiguredBackendDoesNotMatter()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(new()
        {
            ["Outpost:Backends:Default"] = "local",
            ["Outpost:Profiles:cpu:Backend"] = "LOCAL",
            ["Outpost:Profiles:empty:Backend"] = "",
        }));

        var text = error.ToString();
        Assert.Contains("Outpost:Profiles:empty:Backend is required", text);
        Assert.DoesNotContain("Outpost:Profiles:cpu", text);
        Assert.DoesNotContain("Outpost:Backends:Default", text);
    }
}
