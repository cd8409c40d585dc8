using Outpost.Checks;

namespace Outpost.Backends.Spawner;

/// <summary><c>outpost check</c>: the host starts and loads the configuration file as a start would.</summary>
public sealed partial class SpawnerBackend : IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var subject = $"Backend {Name}";
        try
        {
            return [CheckLine.Ok(subject, $"{_options.ConfigFile} loads (spawner class {await CheckConfigAsync(cancellationToken)})")];
        }
        catch (SpawnerCallException ex)
        {
            return [CheckLine.Fail(subject, ex.Message, "correct the file; until then every start on this backend fails with this message")];
        }
        catch (SpawnerHostUnavailableException ex)
        {
            return [CheckLine.Fail(subject, ex.Message, "see why the spawner host does not start (Python, PythonPath, HostPath under Outpost:Backends:" + Name + ")")];
        }
    }
}
