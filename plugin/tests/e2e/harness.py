"""End-to-end harness: real sshd (forward-only account), the Outpost, real JupyterHub 3.0.

Everything listens on 127.0.0.1, every wait is bounded, every process we start is
stopped by its PID (process group) at the end.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

import loopback
# The pieces every loopback setup shares (demo, e2e tests, chain benches) live in loopback.py;
# these names stay importable from here for the tests.
from loopback import (  # noqa: F401
    E2E_DIR, PLUGIN_DIR, PY, REPO, Proc, free_port, free_port_block, port_open, ssh_client_pids, ssh_forward_options,
    wait_until,
)

TUNNEL_USER = "optunnel"
HUB_PASSWORDS = {"hub1": secrets.token_hex(12), "hub2": secrets.token_hex(12), "hubpoll": secrets.token_hex(12)}


@pytest.fixture(scope="session")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="e2e-plugin-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    if os.environ.get("E2E_KEEP") != "1":
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- sshd
@pytest.fixture(scope="session")
def sshd(workdir):
    if os.geteuid() != 0:
        pytest.fail("the e2e tests need root (they add a forward-only unix account for sshd)")
    info = loopback.start_sshd(workdir / "ssh", TUNNEL_USER, key_comment="e2e-hub")
    yield info
    # stop every ControlMaster our hubs left behind, then sshd
    loopback.stop_sshd(info)


# ---------------------------------------------------------------- Outpost
def start_outpost(workdir: Path, name: str, passwords: dict, extra_env: dict | None = None,
                  port: int | None = None) -> dict:
    """One Outpost process (LocalProcess backend) serving the hubs in ``passwords`` (hub -> password),
    with ``extra_env`` (e.g. ``Outpost__Flavors__...``, or another backend) on top. Returns its url, port,
    proc and log file. Given the ``port`` and ``name`` of a stopped one, it starts that Outpost again
    (same data folder, log appended)."""
    port = port or free_port()
    d = workdir / name
    d.mkdir(exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin:" + env.get("PATH", "")
    if os.environ.get("OUTPOST_E2E_STANDIN") == "1":
        argv = [PY, str(E2E_DIR / "standin_outpost.py"), str(port)] + [
            f"{h}={p}" for h, p in passwords.items()]
        boot_timeout = 20
    else:
        script = REPO / "scripts" / "outpost"
        if not script.exists():
            pytest.fail(f"{script} is missing: the C# Outpost has not landed on this branch yet "
                        "(merge main, or set OUTPOST_E2E_STANDIN=1 for harness development only)")
        argv = [str(script), "serve", "--urls", f"http://127.0.0.1:{port}"]
        env = loopback.outpost_env(d / "data", passwords)
        boot_timeout = float(os.environ.get("OUTPOST_BOOT_TIMEOUT", "900"))  # first build
    env.update(extra_env or {})
    proc = Proc(argv, d / "outpost.log", env=env, cwd=str(REPO))

    def up():
        if not proc.alive():
            raise RuntimeError(f"Outpost exited:\n{proc.tail()}")
        return requests.get(f"http://127.0.0.1:{port}/ping", timeout=2).status_code == 200

    try:
        wait_until(up, boot_timeout, interval=0.5, what=f"Outpost {name} /ping")
    except Exception:
        proc.stop()
        raise
    return {"url": f"http://127.0.0.1:{port}", "port": port, "proc": proc, "passwords": dict(passwords),
            "log": d / "outpost.log"}


@pytest.fixture(scope="session")
def outpost(workdir):
    info = start_outpost(workdir, "outpost", HUB_PASSWORDS)
    yield info
    info["proc"].stop()


def basic(hub: str, password: str | None = None) -> str:
    password = HUB_PASSWORDS[hub] if password is None else password
    return "Basic " + base64.b64encode(f"{hub}:{password}".encode()).decode()


def outpost_servers(outpost, hub: str) -> list:
    password = (outpost.get("passwords") or HUB_PASSWORDS).get(hub)
    r = requests.get(f"{outpost['url']}/services/", headers={"Authorization": basic(hub, password)}, timeout=10)
    r.raise_for_status()
    return r.json()


# ---------------------------------------------------------------- JupyterHub
class Hub:
    def __init__(self, name: str, workdir: Path, outpost, sshd, internal_ssl: bool = False,
                 extra: str = "", root: str | None = None, token: str | None = None,
                 systems: str | None = None):
        """``systems``: configuration lines declaring ``c.OutpostSpawner.systems``, written instead
        of the single-Outpost hooks (request_url, request_headers, ssh_node ...)."""
        self.name = name
        self.dir = workdir / f"hub-{name}"
        self.dir.mkdir(exist_ok=True)
        self.token = token or secrets.token_hex(16)
        base = free_port_block(3)
        self.port, self.hub_port, self.proxy_port = base, base + 1, base + 2
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.url}/hub/api"
        self.internal_ssl = internal_ssl
        self.proc = None
        self.root = root  # a chroot (JupyterHub 5 from Debian 13) or None for the host's hub
        self.env: dict = {}  # extra environment of the hub process (e.g. Outpost passwords)
        spawner_class = "outpostspawner.OutpostSpawner" if root else "outpostspawner"
        proxy_scheme = "https" if internal_ssl else "http"
        cfg = f"""
c = get_config()
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.api_url = '{proxy_scheme}://127.0.0.1:{self.proxy_port}'
c.JupyterHub.db_url = 'sqlite:///{self.dir}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '{self.dir}/cookie_secret'
c.JupyterHub.pid_file = '{self.dir}/jupyterhub.pid'
# per hub: in the JupyterHub 5 chroot the working directory is /, shared by every hub there
c.ConfigurableHTTPProxy.pid_file = '{self.dir}/proxy.pid'
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.allow_named_servers = True
c.JupyterHub.cleanup_servers = False
c.JupyterHub.tornado_settings = {{'slow_spawn_timeout': 0}}
c.JupyterHub.internal_ssl = {internal_ssl}
c.JupyterHub.internal_certs_location = '{self.dir}/certs'
c.JupyterHub.trusted_alt_names = ['IP:127.0.0.1', 'DNS:localhost']
c.JupyterHub.spawner_class = '{spawner_class}'
c.JupyterHub.custom_scopes = {{
    'custom:servers:list': {{'description': 'list running servers'}},
    'custom:sshnode:restart': {{'description': 'recreate forwards'}},
    'custom:outpostflavors:set': {{'description': 'push flavors'}},
}}
c.JupyterHub.services = [{{'name': 'ci', 'api_token': '{self.token}'}}]
c.JupyterHub.load_roles = [{{'name': 'ci-admin', 'services': ['ci'], 'scopes': [
    'admin:users', 'admin:servers', 'access:servers', 'read:hub', 'tokens', 'admin:server_state',
    'custom:servers:list', 'custom:sshnode:restart', 'custom:outpostflavors:set']}}]
c.Spawner.environment = {{'JUPYTERHUB_SINGLEUSER_APP': 'notebook.notebookapp.NotebookApp'}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
c.OutpostSpawner.public_api_url = '{self.api_url}'
c.OutpostSpawner.custom_misc_disable_default = True
c.OutpostSpawner.remote_ip = '127.0.0.1'
c.OutpostSpawner.ssh_recreate_at_start = True
c.OutpostSpawner.svc_create = False
c.OutpostSpawner.ssh_local_bind_address = '127.0.0.1'
"""
        if systems is None:
            cfg += f"""
c.OutpostSpawner.request_url = '{outpost["url"]}/services'
c.OutpostSpawner.request_headers = {{'Authorization': '{basic(name)}'}}
c.OutpostSpawner.request_kwargs = {{'request_timeout': 90, 'connect_timeout': 10}}
c.OutpostSpawner.ssh_during_startup = True
c.OutpostSpawner.ssh_node = '127.0.0.1'
c.OutpostSpawner.ssh_port = {sshd["port"]}
c.OutpostSpawner.ssh_username = '{sshd["user"]}'
c.OutpostSpawner.ssh_key = '{sshd["key"]}'
c.OutpostSpawner.ssh_forward_options = {json.dumps(ssh_forward_options(sshd))}
"""
        else:
            cfg += systems
        cfg += f"""
{extra}
"""
        (self.dir / "jupyterhub_config.py").write_text(cfg)

    def start(self, timeout: float = 60):
        env = dict(os.environ)
        env.update({
            "NODE_PATH": "/usr/share/nodejs",
            "PYTHONPATH": str(PLUGIN_DIR),
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        })
        prefix = ["chroot", self.root] if self.root else []
        env.update(self.env)
        self.proc = Proc([*prefix, PY, "-m", "jupyterhub", "-f", str(self.dir / "jupyterhub_config.py"),
                          "--debug"], self.dir / "hub.log", env=env, cwd=str(self.dir))

        def up():
            if not self.proc.alive():
                raise RuntimeError(f"hub exited:\n{self.proc.tail()}")
            return requests.get(f"{self.api_url}/", timeout=2).status_code == 200

        wait_until(up, timeout, what=f"hub {self.name}")
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.stop(timeout=20)
            self.proc = None

    # --- REST helpers
    def api(self, method: str, path: str, **kw):
        headers = kw.pop("headers", {})
        headers.setdefault("Authorization", f"token {self.token}")
        return requests.request(method, f"{self.api_url}{path}", headers=headers, timeout=30, **kw)

    def server_path(self, user: str, server: str) -> str:
        return f"/users/{user}/servers/{server}" if server else f"/users/{user}/server"

    def server_model(self, user: str, server: str):
        r = self.api("GET", f"/users/{user}")
        r.raise_for_status()
        return r.json()["servers"].get(server)

    def wait_ready(self, user: str, server: str, timeout: float = 120):
        def ready():
            if not self.proc.alive():
                raise RuntimeError(f"hub exited:\n{self.proc.tail()}")
            model = self.server_model(user, server)
            return model if model and model.get("ready") else None

        return wait_until(ready, timeout, interval=0.5, what=f"{user}/{server} ready")

    def wait_gone(self, user: str, server: str, timeout: float = 60):
        wait_until(lambda: self.server_model(user, server) is None, timeout, interval=0.5,
                   what=f"{user}/{server} stopped")

    def user_url(self, user: str, server: str, path: str = "api") -> str:
        prefix = f"/user/{user}/{server}/" if server else f"/user/{user}/"
        return f"{self.url}{prefix}{path}"


# Per-server behaviour chosen through user_options, used by the e2e tests.
HUB_EXTRA_CONFIG = """
import asyncio

async def _slow_start(spawner, service):
    if spawner.user_options.get('slow'):
        await asyncio.sleep(6)
    return service

async def _ready_hook(spawner, event):
    event['html_message'] = 'READY-HOOK ' + (spawner.name or 'default')
    return event

c.OutpostSpawner.update_start_response = _slow_start
c.OutpostSpawner.start_async = lambda spawner: bool(spawner.user_options.get('async'))
c.OutpostSpawner.ssh_during_startup = lambda spawner: not spawner.user_options.get('async')
c.OutpostSpawner.progress_ready_hook = _ready_hook
"""


def find_server_env(user: str, server: str) -> dict | None:
    """The environment of a running single-user server, read from /proc (as the server sees it)."""
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            raw = environ.read_bytes()
        except OSError:
            continue
        if b"JUPYTERHUB_USER=" + user.encode() not in raw:
            continue
        env = dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)
        if env.get("JUPYTERHUB_USER") == user and env.get("JUPYTERHUB_SERVER_NAME", "") == server \
                and "JUPYTERHUB_SERVICE_URL" in env:
            return env
    return None


@pytest.fixture(scope="session")
def hub_factory(workdir, outpost, sshd):
    hubs = []

    def make(name: str, **kw) -> Hub:
        kw.setdefault("extra", HUB_EXTRA_CONFIG)
        hub = Hub(name, workdir, outpost, sshd, **kw)
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        # stop servers through the API first so no remote process is left behind
        if hub.proc is not None and hub.proc.alive():
            try:
                users = hub.api("GET", "/users").json()
                for u in users:
                    for server in (u.get("servers") or {}):
                        hub.api("DELETE", hub.server_path(u["name"], server))
                for u in users:
                    for server in (u.get("servers") or {}):
                        try:
                            hub.wait_gone(u["name"], server, 30)
                        except Exception:
                            pass
            except Exception:
                pass
        hub.stop()
