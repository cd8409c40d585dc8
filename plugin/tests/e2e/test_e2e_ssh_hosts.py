"""Real JupyterHub 3.0 + outpostspawner + an Outpost on the SSH hosts backend. The remote host is a network
namespace with its own sshd; the server (the integration tests' stand-in for jupyterhub-singleuser) binds the
namespace's own 127.0.0.1, so the hub reaches it only through the whole chain:
hub → Outpost's sshd (the hub's tunnel) → Outpost host → the Outpost's SSH forward → remote host."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from harness import HUB_PASSWORDS, Hub, REPO, port_open, start_outpost, wait_until
from test_e2e import read_progress, stop_server, tunnel_of

NETNS = "ossh-e2e"          # distinct from the C# lab's ossh-a / ossh-b
ADDRESS = "10.231.73.2"
ACCOUNT = "outpostsshe2e"   # its own account: the C# lab rewrites outpostssh's authorized_keys
FAKE_SERVER = REPO / "tests" / "Outpost.IntegrationTests" / "Assets" / "fake_singleuser.py"


def run(*argv, check=True):
    return subprocess.run(list(argv), capture_output=True, text=True, check=check)


def netns_pids() -> list[int]:
    out = run("ip", "netns", "pids", NETNS, check=False).stdout
    return [int(p) for p in out.split()]


def kill(pid: int):
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


def teardown_netns():
    for pid in netns_pids():
        kill(pid)
    run("ip", "link", "del", f"{NETNS}-h", check=False)
    run("ip", "netns", "del", NETNS, check=False)


@pytest.fixture(scope="module")
def remote_host(workdir):
    d = workdir / "ssh-hosts"
    d.mkdir()
    teardown_netns()
    if run("id", "-u", ACCOUNT, check=False).returncode != 0:
        run("useradd", "-m", "-s", "/bin/bash", ACCOUNT)
    run("usermod", "-p", "*", ACCOUNT)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "client_key"))
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key"))
    home = Path(f"/home/{ACCOUNT}")
    (home / ".ssh").mkdir(mode=0o700, exist_ok=True)
    (home / ".ssh" / "authorized_keys").write_text((d / "client_key.pub").read_text())
    run("chown", "-R", f"{ACCOUNT}:{ACCOUNT}", str(home / ".ssh"))
    os.chmod(home / ".ssh" / "authorized_keys", 0o600)
    server = d / "fake_singleuser.py"
    shutil.copy(FAKE_SERVER, server)
    os.chmod(server, 0o644)
    os.chmod(d, 0o755)

    run("ip", "netns", "add", NETNS)
    run("ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up")
    run("ip", "link", "add", f"{NETNS}-h", "type", "veth", "peer", "name", f"{NETNS}-r")
    run("ip", "link", "set", f"{NETNS}-r", "netns", NETNS)
    run("ip", "addr", "add", "10.231.73.1/24", "dev", f"{NETNS}-h")
    run("ip", "link", "set", f"{NETNS}-h", "up")
    run("ip", "netns", "exec", NETNS, "ip", "addr", "add", f"{ADDRESS}/24", "dev", f"{NETNS}-r")
    run("ip", "netns", "exec", NETNS, "ip", "link", "set", f"{NETNS}-r", "up")
    cfg = d / "sshd_config"
    cfg.write_text(f"""Port 22
ListenAddress {ADDRESS}
HostKey {d}/host_key
PidFile {d}/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowUsers {ACCOUNT}
AllowTcpForwarding local
PermitOpen 127.0.0.1:*
""")
    os.makedirs("/run/sshd", exist_ok=True)
    run("ip", "netns", "exec", NETNS, "/usr/sbin/sshd", "-f", str(cfg), "-E", str(d / "sshd.log"))
    wait_until(lambda: (d / "sshd.pid").exists(), 10, what="sshd in the namespace")
    host_pub = " ".join((d / "host_key.pub").read_text().split()[:2])
    (d / "known_hosts").write_text(f"{ADDRESS} {host_pub}\n")
    yield {"dir": d, "key": str(d / "client_key"), "known_hosts": str(d / "known_hosts"), "server": str(server)}
    # The Outpost's masters are local ssh processes with their sockets under d; then the namespace.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline[0] == b"ssh" and any(a.startswith(f"ControlPath={d}/".encode()) for a in cmdline):
                kill(int(entry.name))
    teardown_netns()
    shutil.rmtree(home / ".outpost-servers", ignore_errors=True)


@pytest.fixture(scope="module")
def ssh_hosts_outpost(workdir, remote_host):
    backend = {
        "Default": "SshHosts",
        "SshHosts__User": ACCOUNT,
        "SshHosts__KeyFile": remote_host["key"],
        "SshHosts__Command__0": "/usr/bin/python3",
        "SshHosts__Command__1": remote_host["server"],
        "SshHosts__ControlDirectory": str(remote_host["dir"] / "ctl"),
        "SshHosts__Hosts__0__Name": "e2e-node",
        "SshHosts__Hosts__0__Address": ADDRESS,
        "SshHosts__Hosts__0__KnownHostsFile": remote_host["known_hosts"],
    }
    outpost = start_outpost(workdir, "outpost-ssh-hosts", HUB_PASSWORDS,
                            {f"Outpost__Backends__{key}": value for key, value in backend.items()})
    yield outpost
    outpost["proc"].stop()


@pytest.fixture(scope="module")
def hub_ssh(workdir, ssh_hosts_outpost, sshd):
    (workdir / "ssh-hosts-hub").mkdir(exist_ok=True)
    hub = Hub("hub1", workdir / "ssh-hosts-hub", ssh_hosts_outpost, sshd)
    hub.start()
    assert hub.api("POST", "/users/alice").status_code in (201, 409)
    yield hub
    try:
        hub.api("DELETE", hub.server_path("alice", "remote"))
        hub.wait_gone("alice", "remote", 30)
    except Exception:
        pass
    hub.stop()


def server_environment() -> dict:
    """The environment of the one stand-in server the remote account runs (the namespace shares /proc)."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"fake_singleuser" in (entry / "cmdline").read_bytes() \
                    and f"/home/{ACCOUNT}".encode() in (entry / "environ").read_bytes():
                pairs = (entry / "environ").read_bytes().split(b"\0")
                return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        except OSError:
            continue
    raise AssertionError("no stand-in server of the remote account found")


def test_a_server_on_an_ssh_host_is_reached_through_the_whole_chain(hub_ssh, ssh_hosts_outpost):
    r = hub_ssh.api("POST", hub_ssh.server_path("alice", "remote"), json={})
    assert r.status_code in (201, 202), r.text
    events = read_progress(hub_ssh, "alice", "remote")
    assert events and events[-1].get("ready"), f"spawn did not become ready: {events}\n{hub_ssh.proc.tail()}"
    messages = [str(e.get("message", "")) for e in events]
    assert any("host e2e-node" in m for m in messages), messages
    hub_ssh.wait_ready("alice", "remote")

    # Through the hub's proxy, the hub's tunnel, the Outpost's forward, to the namespace's 127.0.0.1.
    r = requests.get(hub_ssh.user_url("alice", "remote"), headers={"Authorization": f"token {hub_ssh.token}"},
                     timeout=20)
    assert r.status_code == 200 and r.json()["version"] == "fake", r.text
    env = server_environment()
    assert env["JUPYTERHUB_USER"] == "alice" and env["USER"] == ACCOUNT
    assert "SSH_CONNECTION" not in env
    remote_port = int(env["JUPYTERHUB_SERVICE_URL"].split(":")[2].split("/")[0])
    assert not port_open(remote_port), "the server is bound to the remote host's loopback, not this one's"
    local, outpost_port = tunnel_of(hub_ssh, "alice", "remote")
    assert port_open(outpost_port), "the Outpost's forward listens on this host"
    servers = list(Path(f"/home/{ACCOUNT}/.outpost-servers").iterdir())
    assert len(servers) == 1

    stop_server(hub_ssh, "alice", "remote")
    wait_until(lambda: not port_open(outpost_port), 30, what="the Outpost's forward removed")
    wait_until(lambda: not servers[0].exists(), 30, what="the remote server folder removed")
