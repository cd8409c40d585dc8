using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Outpost.Backends.Containers.Docker;

namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>
/// The client over <c>tcp://</c> with mutual TLS: socat terminates TLS (requiring a client certificate from the test
/// CA) in front of the real Podman socket, as a TLS-enabled engine would.
/// </summary>
[Collection(PodmanCollection.Name)]
public sealed class DockerClientTlsTests(PodmanEngine engine) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("outpost-containers-tls-").FullName;
    private Process? _socat;
    private int _port;

    public async Task InitializeAsync()
    {
        await OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.pem");
        await OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=other-ca", "-keyout", "other.key", "-out", "other.pem");
        foreach (var (name, extra) in new[] { ("server", "subjectAltName=IP:127.0.0.1"), ("client", "extendedKeyUsage=clientAuth") })
        {
            await OpenSslAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", $"/CN={name}",
                "-keyout", $"{name}.key", "-out", $"{name}.csr");
            await File.WriteAllTextAsync(Path.Combine(_dir, $"{name}.ext"), extra + "\n");
            await OpenSslAsync("x509", "-req", "-in", $"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                "-extfile", $"{name}.ext", "-out", $"{name}.pem");
        }
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("socat") { UseShellExecute = false, RedirectStandardError = true, WorkingDirectory = _dir };
        start.ArgumentList.Add($"OPENSSL-LISTEN:{_port},bind=127.0.0.1,reuseaddr,fork,cert=server.pem,key=server.key,cafile=ca.pem,verify=1");
        start.ArgumentList.Add($"UNIX-CONNECT:{engine.Socket}");
        _socat = Process.Start(start)!;
        _socat.ErrorDataReceived += (_, _) => { };
        _socat.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_socat is { HasExited: false })
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
        }
        _socat?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Tcp_MutualTls_TalksToTheEngine_AndRefusesAnEngineOfAnotherCa()
    {
        using var client = new DockerClient($"tcp://127.0.0.1:{_port}", "v1.41", TimeSpan.FromSeconds(30),
            new DockerTls(At("ca.pem"), At("client.pem"), At("client.key")));

        Assert.Equal("OK", await client.PingAsync(CancellationToken.None));
        Assert.NotNull(await client.InspectImageAsync(engine.Image, CancellationToken.None));

        using var distrusting = new DockerClient($"tcp://127.0.0.1:{_port}", "v1.41", TimeSpan.FromSeconds(30),
            new DockerTls(At("other.pem"), At("client.pem"), At("client.key")));
        await Assert.ThrowsAsync<HttpRequestException>(() => distrusting.PingAsync(CancellationToken.None));
    }

    private string At(string name) => Path.Combine(_dir, name);

    private async Task OpenSslAsync(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {await errors}");
    }
}
