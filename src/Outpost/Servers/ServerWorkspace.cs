using Microsoft.Extensions.Options;
using Outpost.Hosting;

namespace Outpost.Servers;

/// <summary>Private per-server folders (mode 0700) under <c>{DataDir}/servers</c>, removed with the server.</summary>
public sealed class ServerWorkspace(IOptions<OutpostOptions> options)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Root => Path.GetFullPath(Path.Combine(options.Value.DataDir, "servers"));

    public string PathFor(ServerRecord record) => Path.Combine(Root, record.ResourceName);

    public string Create(ServerRecord record)
    {
        Directory.CreateDirectory(Root, OwnerOnly);
        return Directory.CreateDirectory(PathFor(record), OwnerOnly).FullName;
    }

    public void Remove(ServerRecord record)
    {
        var path = PathFor(record);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
