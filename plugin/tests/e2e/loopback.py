"""The whole chain on 127.0.0.1, written once: an OpenSSH sshd with a forward-only account, the Outpost
(``scripts/outpost serve``, local-process backend) and JupyterHub 3.0 from Debian with outpostspawner.

Used by ``scripts/demo``, the plugin's end-to-end tests (``harness.py`` wraps these pieces in pytest
fixtures) and the chain benches (``bench/chain/run``, ``bench/hubscale/run``). Plain Python, no pytest:
every process is started in its own session and stopped by its id; every wait is bounded.

``python3 loopback.py demo`` is the demo (see ``scripts/demo``).
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent
PLUGIN_DIR = E2E_DIR.parent.parent
REPO = PLUGIN_DIR.parent
PY = "/usr/bin/python3"
NOTEBOOK_COMMAND = ["/usr/bin/jupyterhub-singleuser", "--allow-root"]


# ------------------------------------------------------------------------------------------ basics
def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port() -> int:
    """A free port below the kernel's ephemeral range: a port from that range can be taken between this check and
    the server's bind by any outgoing connection's local end (a hub connecting to its proxy took its own hub port)."""
    low, _ = _ephemeral_range()
    for _ in range(200):
        port = random.randint(10000, max(10001, low - 10))
        if _bindable(port):
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_block(n: int) -> int:
    """A base port with n consecutive free ports (best effort)."""
    for _ in range(100):
        base = free_port()
        if base + n > 65000:
            continue
        socks = []
        try:
            for i in range(n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports on 127.0.0.1")


def wait_until(predicate, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Calls ``predicate`` until it returns something true; exceptions count as "not yet"."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as e:  # keep trying until the deadline
            last = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what} (last error: {last})")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def http_status(url_port: int, path: str, headers: dict | None = None, timeout: float = 2) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", url_port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


class Proc:
    """A child process in its own session (process group), with its output in a log file."""

    def __init__(self, argv, log: Path, env=None, cwd=None):
        self.log_path = log
        self.log = open(log, "ab")
        self.popen = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, cwd=cwd, start_new_session=True)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15):
        if self.popen.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(5)
        # children left in the group (e.g. the hub's proxy) go too
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def ensure_account(name: str) -> None:
    """A unix account without password or shell (for sshd's forward-only user, or a hub user)."""
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-m", "-s", "/usr/sbin/nologin", name], check=True)
        subprocess.run(["usermod", "-p", "*", name], check=True)
    home = Path(f"/home/{name}")
    home.mkdir(exist_ok=True)
    shutil.chown(home, name, name)
    os.chmod(home, 0o755)  # readable: servers started as root may run there


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ------------------------------------------------------------------------------------------ sshd
SSHD_CONFIG = """Port {port}
ListenAddress 127.0.0.1
HostKey {dir}/host_key
PidFile {dir}/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowUsers {user}
X11Forwarding no
AllowAgentForwarding no
PermitTunnel no
GatewayPorts no
MaxSessions {max_sessions}
MaxStartups {max_startups}
Match User {user}
    AllowTcpForwarding local
    PermitOpen {permit_open}
    PermitTTY no
    ForceCommand /bin/false
"""


def start_sshd(d: Path, user: str, port: int | None = None, key_comment: str = "loopback-hub",
               max_sessions: int = 10, max_startups: str = "10:30:100",
               permit_hosts: tuple[str, ...] = ("127.0.0.1",)) -> dict:
    """sshd on 127.0.0.1 as the tunnel endpoint: key-only, ``user`` may only forward to ``permit_hosts``.
    Needs root (it adds ``user`` and writes its authorized_keys). Returns port, key, known_hosts,
    user, control_dir (where the hubs' ControlMaster sockets go), authorized_keys and proc."""
    d.mkdir(parents=True, exist_ok=True)
    ensure_account(user)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "client_key"),
                    "-C", key_comment], check=True)
    home = Path(f"/home/{user}")
    (home / ".ssh").mkdir(mode=0o700, exist_ok=True)
    pub = (d / "client_key.pub").read_text().strip()
    ak = home / ".ssh" / "authorized_keys"
    permits = ",".join(f'permitopen="{h}:*"' for h in permit_hosts)
    ak.write_text(f'restrict,port-forwarding,{permits},command="/bin/false" {pub}\n')
    shutil.chown(home / ".ssh", user, user)
    shutil.chown(ak, user, user)
    os.chmod(ak, 0o600)
    port = port or free_port()
    cfg = d / "sshd_config"
    cfg.write_text(SSHD_CONFIG.format(port=port, dir=d, user=user, max_sessions=max_sessions,
                                      max_startups=max_startups, permit_open=" ".join(f"{h}:*" for h in permit_hosts)))
    os.makedirs("/run/sshd", exist_ok=True)
    subprocess.run(["/usr/sbin/sshd", "-t", "-f", str(cfg)], check=True)
    proc = Proc(["/usr/sbin/sshd", "-D", "-e", "-f", str(cfg)], d / "sshd.log")
    wait_until(lambda: port_open(port), 10, what="sshd")
    host_pub = " ".join((d / "host_key.pub").read_text().split()[:2])
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub}\n")
    return {"port": port, "key": str(d / "client_key"), "known_hosts": str(d / "known_hosts"),
            "user": user, "control_dir": str(d), "authorized_keys": ak, "proc": proc}


def ssh_forward_options(sshd: dict) -> dict:
    return {
        "UserKnownHostsFile": sshd["known_hosts"],
        "StrictHostKeyChecking": "yes",
        "IdentitiesOnly": "yes",
        "ControlPath": f"{sshd['control_dir']}/cm-%C",
    }


def close_masters(sshd: dict) -> None:
    """Ends every ControlMaster the hubs opened to this sshd (their sockets are in control_dir)."""
    for sock in Path(sshd["control_dir"]).glob("cm-*"):
        subprocess.run(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", f"{sshd['user']}@127.0.0.1"],
                       capture_output=True, timeout=10)


def ssh_client_pids(matches) -> list[int]:
    """The running ssh clients whose argument list ``matches`` (a function of it), sorted."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv and argv[0].endswith("ssh") and matches(argv):
            pids.append(int(cmdline.parent.name))
    return sorted(pids)


def stop_sshd(sshd: dict, remove_key: bool = False) -> None:
    close_masters(sshd)
    sshd["proc"].stop()
    if remove_key:
        try:
            Path(sshd["authorized_keys"]).unlink()
        except OSError:
            pass


# ------------------------------------------------------------------------------------------ Outpost
def outpost_env(data_dir: Path, passwords: dict, command: list[str] | None = None,
                extra_env: dict | None = None, server_ip: str = "127.0.0.1") -> dict:
    """The environment of ``scripts/outpost serve``: local-process backend running ``command``
    (default: jupyterhub-singleuser) on ``server_ip``, one hub per entry of ``passwords``."""
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin:" + env.get("PATH", "")
    env["Outpost__DataDir"] = str(data_dir)
    for hub, pw in passwords.items():
        env[f"Outpost__Hubs__{hub}__Password"] = pw
    command = command or NOTEBOOK_COMMAND
    env["Outpost__Backends__Local__Command__0"] = command[0]
    for i, arg in enumerate(command[1:]):
        env[f"Outpost__Backends__Local__Args__{i}"] = arg
    env["Outpost__Backends__Local__Ip"] = server_ip
    env.update(extra_env or {})
    return env


def start_outpost_process(d: Path, port: int, passwords: dict, command: list[str] | None = None,
                          extra_env: dict | None = None, boot_timeout: float = 900,
                          server_ip: str = "127.0.0.1") -> Proc:
    """``scripts/outpost serve`` on 127.0.0.1:port with its data in ``d/data`` and its log in
    ``d/outpost.log`` (appended, so a restart on the same folder keeps the earlier log).
    ``OUTPOST_EXECUTABLE`` names an already published Outpost to run instead (as the integration tests do)."""
    script = Path(os.environ.get("OUTPOST_EXECUTABLE") or REPO / "scripts" / "outpost")
    if not script.exists():
        raise RuntimeError(f"{script} is missing")
    d.mkdir(parents=True, exist_ok=True)
    env = outpost_env(d / "data", passwords, command, extra_env, server_ip)
    proc = Proc([str(script), "serve", "--urls", f"http://127.0.0.1:{port}"], d / "outpost.log",
                env=env, cwd=str(REPO))

    def up():
        if not proc.alive():
            raise RuntimeError(f"Outpost exited:\n{proc.tail()}")
        return http_status(port, "/ping") == 200

    try:
        wait_until(up, boot_timeout, interval=0.25, what="the Outpost's /ping")
    except BaseException:
        proc.stop()
        raise
    return proc


# ------------------------------------------------------------------------------------------ JupyterHub
def hub_config(d: Path, port: int, hub_port: int, proxy_port: int, spawner_class: str,
               services: list | None = None, roles: list | None = None, notebook_app: bool = True) -> str:
    """The part of a jupyterhub_config.py every loopback hub shares (dummy authenticator, sqlite in ``d``)."""
    cfg = f"""c = get_config()
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{proxy_port}'
c.JupyterHub.db_url = 'sqlite:///{d}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '{d}/cookie_secret'
c.JupyterHub.pid_file = '{d}/jupyterhub.pid'
c.ConfigurableHTTPProxy.pid_file = '{d}/proxy.pid'
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.spawner_class = {spawner_class!r}
"""
    if notebook_app:
        cfg += "c.Spawner.environment = {'JUPYTERHUB_SINGLEUSER_APP': 'notebook.notebookapp.NotebookApp'}\n"
    if services:
        cfg += f"c.JupyterHub.services = {services!r}\n"
    if roles:
        cfg += f"c.JupyterHub.load_roles = {roles!r}\n"
    return cfg


def outpost_spawner_config(outpost_url: str, hub_name: str, password: str, sshd: dict,
                           public_api_url: str | None = None) -> str:
    """outpostspawner pointed at one Outpost, each server reached through an ssh forward via ``sshd``."""
    cfg = f"""c.OutpostSpawner.request_url = '{outpost_url}/services'
c.OutpostSpawner.request_headers = {{'Authorization': '{basic_auth(hub_name, password)}'}}
c.OutpostSpawner.custom_misc_disable_default = True
c.OutpostSpawner.remote_ip = '127.0.0.1'
c.OutpostSpawner.ssh_during_startup = True
c.OutpostSpawner.svc_create = False
c.OutpostSpawner.ssh_node = '127.0.0.1'
c.OutpostSpawner.ssh_port = {sshd["port"]}
c.OutpostSpawner.ssh_username = '{sshd["user"]}'
c.OutpostSpawner.ssh_key = '{sshd["key"]}'
c.OutpostSpawner.ssh_local_bind_address = '127.0.0.1'
c.OutpostSpawner.ssh_recreate_at_start = True
c.OutpostSpawner.ssh_forward_options = {json.dumps(ssh_forward_options(sshd))}
"""
    if public_api_url:
        cfg += f"c.OutpostSpawner.public_api_url = '{public_api_url}'\n"
    return cfg


def hub_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({"NODE_PATH": "/usr/share/nodejs", "PYTHONPATH": str(PLUGIN_DIR),
                "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
    env.update(extra or {})
    return env


def start_hub_process(d: Path, hub_port: int, debug: bool = False, root: str | None = None,
                      extra_env: dict | None = None, timeout: float = 90) -> Proc:
    """``python3 -m jupyterhub -f d/jupyterhub_config.py`` (in the chroot ``root`` if given); waits until
    the hub's REST API answers."""
    prefix = ["chroot", root] if root else []
    argv = [*prefix, PY, "-m", "jupyterhub", "-f", str(d / "jupyterhub_config.py")]
    if debug:
        argv.append("--debug")
    proc = Proc(argv, d / "hub.log", env=hub_env(extra_env), cwd=str(d))

    def up():
        if not proc.alive():
            raise RuntimeError(f"hub exited:\n{proc.tail()}")
        return http_status(hub_port, "/hub/api/") == 200

    try:
        wait_until(up, timeout, interval=0.1, what=f"the hub in {d}")
    except BaseException:
        proc.stop()
        raise
    return proc


# ------------------------------------------------------------------------------------------ the demo
def demo(argv: list[str]) -> int:
    """scripts/demo: Outpost, sshd and a hub with outpostspawner on fixed ports until Ctrl-C."""
    hub_port = int(os.environ.get("DEMO_HUB_PORT", "18000"))
    outpost_port = int(os.environ.get("DEMO_OUTPOST_PORT", "18750"))
    ssh_port = int(os.environ.get("DEMO_SSH_PORT", "18722"))
    w = Path(os.environ.get("DEMO_DIR", "/tmp/outpost-demo"))
    if os.geteuid() != 0:
        print("demo: run as root (it adds the forward-only account optunnel)", file=sys.stderr)
        return 1
    shutil.rmtree(w, ignore_errors=True)
    for sub in ("ssh", "outpost", "hub"):
        (w / sub).mkdir(parents=True)
    os.chmod(w, 0o755)
    procs: list[Proc] = []
    sshd = None

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        sshd = start_sshd(w / "ssh", "optunnel", port=ssh_port, key_comment="outpost-demo-hub")
        procs.append(sshd["proc"])
        password = secrets.token_hex(18)
        print("demo: building/starting the Outpost (the first build takes a few minutes)", flush=True)
        try:
            procs.append(start_outpost_process(w / "outpost", outpost_port, {"demohub": password}))
        except Exception as e:
            print(f"demo: the Outpost did not start: {e}\n{(w / 'outpost' / 'outpost.log').read_text()[-3000:]}",
                  file=sys.stderr)
            return 1
        cfg = hub_config(w / "hub", hub_port, hub_port + 1, hub_port + 2, "outpostspawner")
        cfg += "c.DummyAuthenticator.password = 'demo'\nc.JupyterHub.allow_named_servers = True\n"
        cfg += outpost_spawner_config(f"http://127.0.0.1:{outpost_port}", "demohub", password, sshd,
                                      public_api_url=f"http://127.0.0.1:{hub_port}/hub/api")
        (w / "hub" / "jupyterhub_config.py").write_text(cfg)
        try:
            hub = start_hub_process(w / "hub", hub_port + 1, timeout=60)
        except Exception as e:
            print(f"demo: the hub did not start: {e}", file=sys.stderr)
            return 1
        procs.append(hub)
        print(f"""
  Outpost demo is running.
  Open  http://127.0.0.1:{hub_port}/  and log in with any user name, password "demo".
  Each server is started by the Outpost on 127.0.0.1 and reached through an ssh
  forward via the sshd on port {ssh_port}. Logs: {w}/{{hub,outpost,ssh}}/*.log
  Press Ctrl-C to stop everything.
""", flush=True)
        while hub.alive():
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\ndemo: stopping", flush=True)
        # the hub first, so that it can still ask the Outpost to stop its servers
        for proc in reversed(procs):
            if sshd is not None and proc is sshd["proc"]:
                close_masters(sshd)
            proc.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["demo"]:
        sys.exit(demo(sys.argv[2:]))
    print("usage: loopback.py demo", file=sys.stderr)
    sys.exit(2)
