"""The tunnel service (``outpost tunnels serve``) holds the forwards, and the proxy runs as its own process, the way
Zero-to-JupyterHub runs them: JupyterHub restarts while a kernel's WebSocket is open through the proxy, the server
answers all through the restart and the WebSocket still works afterwards; the tunnel service is killed with -9
(with its ssh master, as a pod restart would take both) and its forward is back after its restart; /recreateforward
asks the service instead of removing the forward; when the service lost its state, the hub's own check asks for
the forward again; hostile setuptunnel values are refused. Real sshd, the Outpost,
JupyterHub 3.0, configurable-http-proxy, the notebook server and its kernel, all on 127.0.0.1."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from harness import HUB_EXTRA_CONFIG, REPO, Hub, Proc, free_port, port_open, ssh_client_pids, wait_until

USER, SERVER = "erin", "ts"
FORWARD_BACK_WITHIN = 20.0  # seconds from the restart of a kill -9'd tunnel service to a 200 through the proxy


def service_master_pids(state_dir: Path) -> list[int]:
    """The ssh ControlMasters of the tunnel service: their ControlPath is in its state directory."""
    prefix = f"ControlPath={state_dir}/cm-"
    return ssh_client_pids(lambda argv: "-M" in argv and any(a.startswith(prefix) for a in argv))


class TunnelService:
    """``outpost tunnels serve`` as its own process (the Native AOT build the other e2e tests use)."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "tunnel-service"
        self.state_dir = self.dir / "state"
        self.dir.mkdir(exist_ok=True)
        self.token_file = self.dir / "token"
        self.token_file.write_text(secrets.token_hex(20) + "\n")
        self.token = self.token_file.read_text().strip()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.exe = subprocess.run([str(REPO / "scripts" / "publish-outpost")], check=True, capture_output=True,
                                  text=True, timeout=1800).stdout.strip().splitlines()[-1]
        self.proc: Proc | None = None

    def start(self) -> "TunnelService":
        self.proc = Proc([self.exe, "tunnels", "serve", "--listen", f"127.0.0.1:{self.port}",
                          "--state-dir", str(self.state_dir), "--token-file", str(self.token_file),
                          "--check-interval", "1"], self.dir / "service.log")

        def up():
            if not self.proc.alive():
                raise RuntimeError(f"tunnel service exited:\n{self.proc.tail()}")
            return requests.get(f"{self.url}/health", timeout=2).status_code == 200

        wait_until(up, 60, interval=0.1, what="tunnel service /health")
        return self

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.popen.wait(10)
        self.proc.log.close()

    def tunnels(self) -> list:
        r = requests.get(f"{self.url}/tunnels", headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        r.raise_for_status()
        return r.json()

    def log(self) -> str:
        return (self.dir / "service.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def service(workdir):
    svc = TunnelService(workdir).start()
    yield svc
    if svc.proc is not None:
        svc.proc.stop()
    for pid in service_master_pids(svc.state_dir):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def hub(workdir, outpost, sshd, service):
    proxy_token = secrets.token_hex(16)
    extra = HUB_EXTRA_CONFIG + f"""
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.auth_token = '{proxy_token}'
c.OutpostSpawner.tunnel_service_url = '{service.url}'
c.OutpostSpawner.tunnel_service_token_file = '{service.token_file}'
c.OutpostSpawner.ssh_forward_check_interval = 1.0
"""
    (workdir / "tunnel-hub").mkdir(exist_ok=True)
    hub = Hub("hub1", workdir / "tunnel-hub", outpost, sshd, extra=extra)
    # the proxy on its own, as Zero-to-JupyterHub's proxy pod: the hub neither starts nor stops it
    proxy = Proc(["configurable-http-proxy", "--ip", "127.0.0.1", "--port", str(hub.port),
                  "--api-ip", "127.0.0.1", "--api-port", str(hub.proxy_port),
                  "--default-target", f"http://127.0.0.1:{hub.hub_port}",
                  "--error-target", f"http://127.0.0.1:{hub.hub_port}/hub/error"],
                 hub.dir / "proxy.log",
                 env={**os.environ, "NODE_PATH": "/usr/share/nodejs", "CONFIGPROXY_AUTH_TOKEN": proxy_token})
    wait_until(lambda: port_open(hub.proxy_port) and port_open(hub.port), 30, what="configurable-http-proxy")
    hub.proxy = proxy
    hub.start()
    assert hub.api("POST", f"/users/{USER}").status_code in (201, 409)
    yield hub
    try:
        hub.api("DELETE", hub.server_path(USER, SERVER))
        hub.wait_gone(USER, SERVER, 30)
    except Exception:
        pass
    hub.stop()
    proxy.stop()


def through_proxy(hub, path: str = "api", timeout: float = 5) -> requests.Response:
    return requests.get(hub.user_url(USER, SERVER, path), headers={"Authorization": f"token {hub.token}"},
                        timeout=timeout)


def execute(ws, code: str, timeout: float = 60) -> str:
    """Runs ``code`` in the kernel over its open WebSocket; returns what it printed."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": USER, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ws.settimeout(max(0.1, deadline - time.monotonic()))
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") == msg_id and msg.get("msg_type") == "stream":
            return msg["content"]["text"]
    raise TimeoutError(f"no output for {code!r}")


class Poller(threading.Thread):
    """GETs the server through the proxy every 0.1 s and keeps each answer (or error) with its time."""

    def __init__(self, hub):
        super().__init__(daemon=True)
        self.hub, self.results, self.done = hub, [], threading.Event()

    def run(self):
        while not self.done.is_set():
            at = time.monotonic()
            try:
                outcome = through_proxy(self.hub, timeout=5).status_code
            except requests.RequestException as e:
                outcome = type(e).__name__
            self.results.append((at, outcome))
            self.done.wait(0.1)


def test_hub_restart_and_tunnel_service_kill9_leave_the_server_reachable(hub, service, sshd):
    r = hub.api("POST", hub.server_path(USER, SERVER), json={})
    assert r.status_code in (201, 202), r.text
    hub.wait_ready(USER, SERVER)
    wait_until(lambda: through_proxy(hub).status_code == 200, 30, what="server reachable through the proxy")

    # the forward is the service's: one healthy entry, its master a process of the service's state directory
    [entry] = service.tunnels()
    assert entry["healthy"] and entry["sshPort"] == sshd["port"], entry
    masters = service_master_pids(service.state_dir)
    assert len(masters) == 1, masters
    # the hub's ssh_forward_options reached the service (allow-listed): its known_hosts file, strict checking
    master_argv = Path(f"/proc/{masters[0]}/cmdline").read_bytes().decode().split("\0")
    assert f"UserKnownHostsFile={sshd['known_hosts']}" in master_argv and "StrictHostKeyChecking=yes" in master_argv

    # a kernel, and its WebSocket open through the proxy
    r = requests.post(hub.user_url(USER, SERVER, "api/kernels"), headers={"Authorization": f"token {hub.token}"},
                      json={"name": "python3"}, timeout=60)
    assert r.status_code == 201, r.text
    kernel = r.json()["id"]
    ws_url = hub.user_url(USER, SERVER, f"api/kernels/{kernel}/channels").replace("http://", "ws://")
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {hub.token}"], timeout=60)
    try:
        assert execute(ws, "print(6 * 7)") == "42\n"

        # restart JupyterHub (stop, start), the proxy and the tunnel service untouched; poll the server meanwhile
        poller = Poller(hub)
        poller.start()
        wait_until(lambda: len(poller.results) >= 3, 10, interval=0.05, what="first polls")
        stopped_at = time.monotonic()
        hub.stop()
        assert not port_open(hub.hub_port), "the hub is down"
        hub.start()
        hub.wait_ready(USER, SERVER)
        back_at = time.monotonic()
        wait_until(lambda: poller.results[-1][0] > back_at + 1.0, 10, interval=0.05, what="polls after the restart")
        poller.done.set()
        poller.join(10)
        window = [(at, o) for at, o in poller.results if stopped_at <= at <= back_at]
        failed = [(round(at - stopped_at, 2), o) for at, o in poller.results if o != 200]
        # the polls cover the whole window (no gap long enough to hide an outage), and every one answered
        times = [at for at, _ in poller.results]
        covering = [at for at in times if at <= back_at and at >= max([t for t in times if t <= stopped_at], default=stopped_at)]
        covering += [min([t for t in times if t > back_at], default=back_at)]
        gaps = [b - a for a, b in zip(covering, covering[1:])]
        assert len(window) >= 3 and max(gaps) < 1.5 and not failed, \
            f"{len(window)} polls in the window, largest gap {max(gaps):.2f}s; failed: {failed[:10]}"
        print(f"\nhub restart: {back_at - stopped_at:.2f}s from SIGTERM to the hub serving again; "
              f"{len(window)} polls through the proxy in that window, all 200")

        # the open WebSocket survived, and the forward was not re-made (same master, the PUT after the restart
        # found it working)
        assert execute(ws, "print(6 * 8)") == "48\n"
        assert service_master_pids(service.state_dir) == masters
        assert service.log().count("Forward 127.0.0.1:") == 1, "the forward was created once"

        # /recreateforward (an admin after an ssh node restart) asks the service again: nothing is cut
        r = hub.api("POST", "/recreateforward/127.0.0.1")
        assert r.status_code == 202 and r.json() == {"servers": 1}, r.text
        wait_until(lambda: "Rebuilt the forward of" in hub.proc.log_path.read_text(errors="replace"), 30,
                   what="the rebuild in the hub log")
        assert execute(ws, "print(6 * 9)") == "54\n"
        assert service_master_pids(service.state_dir) == masters
    finally:
        ws.close()

    # hostile setuptunnel values are refused (400), the service's forward stays as it was
    for body in ({"service": "127.0.0.1:8888", "ssh_node": "-oProxyCommand=touch /tmp/e2e-t18-pwned"},
                 {"service": "-oProxyCommand=x:8888"},
                 {"service": "127.0.0.1:8888", "ssh_username": "root@127.0.0.1"},
                 {"service": "127.0.0.1:8888", "ssh_port": "22 -R 1:x:1"},
                 {"service": "127.0.0.1:8888", "ssh_forward_options": {"ProxyCommand": "id"}}):
        r = hub.api("POST", f"/users/setuptunnel/{USER}/{SERVER}", json=body)
        assert r.status_code == 400, (body, r.status_code, r.text)
    assert not Path("/tmp/e2e-t18-pwned").exists()
    assert [t["forwardSpec"] for t in service.tunnels()] == [entry["forwardSpec"]]

    # kill -9 the tunnel service and its master (a pod restart takes both): nothing listens until it is back
    service.kill9()
    for pid in masters:
        os.kill(pid, signal.SIGKILL)
    local_port = int(entry["forwardSpec"].split(":")[1])
    wait_until(lambda: not port_open(local_port), 10, interval=0.05, what="the forward gone")
    restarted_at = time.monotonic()
    service.start()
    wait_until(lambda: through_proxy(hub).status_code == 200, FORWARD_BACK_WITHIN, interval=0.1,
               what="server reachable again through the proxy after the tunnel service's restart")
    print(f"tunnel service kill -9: forward back {time.monotonic() - restarted_at:.2f}s after its restart "
          f"(process start included)")
    assert "Recovered 1 forward(s)" in service.log()
    assert len(service_master_pids(service.state_dir)) == 1

    # the same, but the service's state is lost too (an emptyDir): the hub's periodic check finds the forward
    # missing at the service (404) and asks for it again
    def restored_lines() -> int:
        return hub.proc.log_path.read_text(errors="replace").count("ssh forward restored: erin:ts")

    restored_before = restored_lines()
    service.kill9()
    for pid in service_master_pids(service.state_dir):
        os.kill(pid, signal.SIGKILL)
    (service.state_dir / "tunnels.json").unlink()
    wait_until(lambda: not port_open(local_port), 10, interval=0.05, what="the forward gone")
    restarted_at = time.monotonic()
    service.start()
    wait_until(lambda: through_proxy(hub).status_code == 200, FORWARD_BACK_WITHIN, interval=0.1,
               what="server reachable again after the hub asked the state-less service again")
    print(f"tunnel service kill -9 with its state lost: forward back {time.monotonic() - restarted_at:.2f}s after "
          "its restart, asked for again by the hub (check interval 1 s)")
    assert "Recovered 0 forward(s)" in service.log()
    wait_until(lambda: restored_lines() > restored_before, 10, what="the hub's restored line")

    # stopping the server removes its forward and ends the master
    r = hub.api("DELETE", hub.server_path(USER, SERVER))
    assert r.status_code in (202, 204), r.text
    hub.wait_gone(USER, SERVER)
    assert service.tunnels() == []
    wait_until(lambda: not service_master_pids(service.state_dir), 10, what="the master ended")
