using System.Text.RegularExpressions;
using Outpost.Servers;

namespace Outpost.Backends.Containers;

/// <summary>
/// The labels that tie a container to its server: this Outpost instance, the hub, the user, the server name and the
/// start id. Label values are plain JSON strings for the engine, so any user name is safe in them as it is.
/// </summary>
public static partial class ContainerLabels
{
    public const string Prefix = "org.jupyterhub.outpost.";
    public const string Instance = Prefix + "instance";
    public const string Hub = Prefix + "hub";
    public const string User = Prefix + "user";
    public const string Server = Prefix + "server";
    public const string StartId = Prefix + "start-id";

    /// <summary>The labels of one server's container: the extra labels first, ours over them.</summary>
    public static Dictionary<string, string> For(string instance, ServerKey key, string userName, IReadOnlyDictionary<string, string> extra)
    {
        var labels = new Dictionary<string, string>(extra, StringComparer.Ordinal)
        {
            [Instance] = instance,
            [Hub] = key.Hub,
            [User] = userName,
            [Server] = key.Name,
            [StartId] = key.StartId,
        };
        return labels;
    }

    /// <summary>The filter that finds every container of one Outpost instance.</summary>
    public static Dictionary<string, string> OfInstance(string instance) => new() { [Instance] = instance };

    public static bool IsLabelSafe(string value) => SafeLabel().IsMatch(value);

    public static bool IsVolumeNameSafe(string value) => VolumeName().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex SafeLabel();

    // Docker's own rule for volume (and container) names, with a length limit.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")]
    private static partial Regex VolumeName();
}
