using Outpost.Checks;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// <c>outpost check</c>: each host accepts a login (BatchMode, host key checked) and runs <c>true</c>. A login whose
/// account comes from the hub user's name, or whose key comes from the user's auth state, cannot be tried without a
/// user: such a host gets a warning that says what was not checked. Nothing is started and no master is left behind.
/// </summary>
public sealed partial class SshHostsBackend : Outpost.Backends.IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var lines = new List<CheckLine>();
        foreach (var host in _options.Hosts)
        {
            var subject = $"Backend {Name} host {host.Name}";
            var rule = host.User ?? _options.User;
            var key = host.KeyFile ?? _options.KeyFile;
            var missing = new[] { host.KnownHostsFile, key }.FirstOrDefault(f => f is not null && !File.Exists(f));
            if (missing is not null)
            {
                lines.Add(CheckLine.Fail(subject, $"{missing} does not exist", missing == key
                    ? "put the Outpost's private key there (mode 0600), or fix the KeyFile setting"
                    : $"write the host key of {host.Address} there (e.g. from ssh-keyscan, checked against the host), or fix KnownHostsFile"));
                continue;
            }
            if (rule.Contains(RemoteAccount.UserNamePlaceholder, StringComparison.Ordinal) || key is null)
            {
                lines.Add(CheckLine.Warn(subject, $"logins at {host.Address}:{host.Port} use the hub user's {(key is null ? "key" : "account")}, so no login was tried",
                    "log in once by hand with such an account to see that the host key and the account work"));
                continue;
            }
            var login = new SshLogin(host.Address, host.Port, rule, key, host.KnownHostsFile);
            var command = Ssh.ScriptCommand(login, "true\n", TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds + 10)) is var c
                ? c with { Arguments = [.. c.Arguments.Select(a => a == $"ControlPath={Ssh.ControlPath(login)}" ? "ControlPath=none" : a)] }
                : c;
            try
            {
                var result = await runner.RunAsync(command, cancellationToken);
                lines.Add(result.Succeeded
                    ? CheckLine.Ok(subject, $"{rule}@{host.Address}:{host.Port} logs in and runs a POSIX shell")
                    : CheckLine.Fail(subject, $"{rule}@{host.Address}:{host.Port} fails: {SshClient.Summary(result)}",
                        $"check that sshd runs there, that {host.KnownHostsFile} holds its host key and that the key is in ~{rule}/.ssh/authorized_keys"));
            }
            catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                lines.Add(CheckLine.Fail(subject, $"{rule}@{host.Address}:{host.Port} cannot be tried: {e.Message}",
                    $"install the OpenSSH client, or set Outpost:Backends:SshHosts:SshProgram; check that the host answers on port {host.Port}"));
            }
        }
        return lines;
    }
}
