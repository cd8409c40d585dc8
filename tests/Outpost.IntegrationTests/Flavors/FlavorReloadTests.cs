using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Outpost.IntegrationTests.Fakes;
using Outpost.Operations;

namespace Outpost.IntegrationTests.Flavors;

/// <summary>Flavors follow the YAML configuration file at run time; a broken or invalid change keeps the last good one.</summary>
public sealed class FlavorReloadTests
{
    private const string Initial = """
        Outpost:
          Flavors:
            Flavors:
              small:
                max: 3
                display_name: Small
        """;

    [Fact]
    public async Task ConfigFileChange_ReloadsFlavors_ButKeepsTheLastGoodOnErrors()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-reload-").FullName;
        var file = Path.Combine(dataDir, "outpost.yaml");
        await File.WriteAllTextAsync(file, Initial);
        var log = new RecordingLoggerProvider(LogLevel.Error);
        await using var outpost = await OutpostHost.StartAsync(new() { ["config"] = file }, dataDir, builder =>
        {
            OutpostHost.WithInstantBackend(new InstantBackend())(builder);
            builder.Logging.AddProvider(log);
        });
        using var client = outpost.Client();
        Assert.Equal(["small"], await FlavorNamesAsync(client));

        await File.WriteAllTextAsync(file, Initial + "\n      large:\n        max: 1\n");
        await WaitForAsync(async () => (await FlavorNamesAsync(client)).SequenceEqual(["large", "small"]));

        var rejected = log.Count(LogEvents.FlavorsReloadRejected);
        await File.WriteAllTextAsync(file, "Outpost:\n  Flavors: [unclosed\n");
        await WaitForAsync(() => Task.FromResult(log.Count(LogEvents.FlavorsReloadRejected) > rejected));
        Assert.Equal(["large", "small"], await FlavorNamesAsync(client));

        rejected = log.Count(LogEvents.FlavorsReloadRejected);
        await File.WriteAllTextAsync(file, Initial + "\n    Hubs:\n      all:\n        jupyterhub_name: .*\n        flavors: [missing]\n");
        await WaitForAsync(() => Task.FromResult(log.Count(LogEvents.FlavorsReloadRejected) > rejected));
        Assert.Equal(["large", "small"], await FlavorNamesAsync(client));
    }

    private static async Task<string[]> FlavorNamesAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/flavors")).EnumerateObject().Select(p => p.Name)];

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("the flavors were not reloaded within 10 s");
    }
}
