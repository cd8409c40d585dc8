using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

public class TunnelStateFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tunnelsvc-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TunnelSpec Spec(string id, int port) => TunnelSpecValidator.Validate(id, new TunnelRequest
    {
        LocalPort = port, RemoteHost = "10.1.2.3", RemotePort = 8888, SshNode = "node1", SshPort = 22, SshUser = "tunnel",
        SshKey = "/k/id", SshOptions = new() { ["ServerAliveInterval"] = "20" },
    });

    [Fact]
    public void A_missing_file_is_an_empty_list()
    {
        Assert.Empty(new TunnelStateFile(Path.Combine(_directory, "tunnels.json")).Load());
    }

    [Fact]
    public void Saved_forwards_load_back_equal()
    {
        var path = Path.Combine(_directory, "tunnels.json");
        var specs = new[] { Spec("a", 41001), Spec("b", 41002) };
        new TunnelStateFile(path).Save(specs);
        var loaded = new TunnelStateFile(path).Load();
        Assert.Equal(2, loaded.Count);
        Assert.Equal(specs[0].ForwardSpec, loaded[0].ForwardSpec);
        Assert.Equal("20", loaded[1].SshOptions["ServerAliveInterval"]);
        Assert.Equal(specs[1] with { SshOptions = loaded[1].SshOptions }, loaded[1]);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_tampered_file_is_validated_like_a_request()
    {
        var path = Path.Combine(_directory, "tunnels.json");
        File.WriteAllText(path, """{"x":{"localPort":41001,"remoteHost":"10.1.2.3","remotePort":1,"sshNode":"n","sshUser":"u","sshOptions":{"ProxyCommand":"id"}}}""");
        Assert.Equal("sshOptions", Assert.Throws<TunnelInputException>(() => new TunnelStateFile(path).Load()).Field);
    }
}
