using Outpost.Flavors;

namespace Outpost.Hosting;

public sealed partial class OriginalOutpostSettings
{
    /// <summary>
    /// <c>OUTPOST_FLAVORS_PATH</c>: the original's flavors file, read unchanged (see <see cref="OriginalFlavorsFile"/>)
    /// unless our configuration defines flavors itself.
    /// </summary>
    private void ReadFlavors()
    {
        if (Get(OriginalFlavorsFile.Variable) is not { } path)
        {
            return;
        }
        var ours = _ours.GetSection(FlavorConfigReader.SectionPath);
        if (new[] { "Flavors", "Hubs", "Users" }.Any(key => ours.GetSection(key).Exists()))
        {
            return; // ours defines flavors: the original's file is not merged into them
        }
        if (!File.Exists(path))
        {
            Error(OriginalFlavorsFile.Variable, $"names '{path}', which is not a file.");
            return;
        }
        try
        {
            new ConfigurationBuilder().Add(OriginalFlavorsFile.SourceFor(Path.GetFullPath(path))).Build();
        }
        catch (InvalidDataException ex)
        {
            Error(OriginalFlavorsFile.Variable, $"'{path}' is not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
            return;
        }
        FlavorsFile = Path.GetFullPath(path);
        _used.Add(OriginalFlavorsFile.Variable);
    }

    /// <summary><c>OUTPOST_BASE_PATH</c>, <c>CHECK_ENDDATES</c> and <c>JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER</c>.</summary>
    private void ReadServing()
    {
        if (Get(BasePath) is { Length: > 0 } basePath)
        {
            if (basePath.StartsWith('/'))
            {
                Set(BasePath, "Outpost:BasePath", basePath);
            }
            else
            {
                Error(BasePath, $"must start with '/' (got '{basePath}').");
            }
        }
        // Runtime limits are always enforced here; CHECK_ENDDATES=false, which turns them off, is reported as not used.
        if (Get(CheckEndDates) is { } check && !IsTrue(check))
        {
            return;
        }
        if (Get(CheckEndDates) is not null)
        {
            _used.Add(CheckEndDates);
        }
        if (Get(EndDatesSleepTimer) is { } timer && Seconds(EndDatesSleepTimer, timer, 3600) is { } seconds)
        {
            Set(EndDatesSleepTimer, $"Outpost:{nameof(OutpostOptions.RuntimeSweepSeconds)}", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
