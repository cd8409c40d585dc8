"""Drives the spawner host as a real subprocess over its stdin/stdout."""

import asyncio
import ctypes
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
SPAWNERHOST = os.path.dirname(TESTS)
CONFIGS = os.path.join(TESTS, "configs")
PYTHON = "/usr/bin/python3"

# Spawned servers outlive a killed host and are re-parented. PID 1 in a container may
# not reap them, and LocalProcessSpawner would then see a zombie as alive; so this test
# process becomes their subreaper and reaps zombies that are not its hosts.
_host_pids = set()
PR_SET_CHILD_SUBREAPER = 36


def _reap_orphans():
    me = str(os.getpid())
    while True:
        time.sleep(0.05)
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in _host_pids:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] == "Z" and fields[1] == me:
                try:
                    os.waitpid(int(entry), os.WNOHANG)
                except ChildProcessError:
                    pass


@pytest.fixture(scope="session", autouse=True)
def subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    threading.Thread(target=_reap_orphans, daemon=True).start()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


async def wait_reaped(pid, timeout=10):
    """True once the process is gone from /proc altogether (not even a zombie)."""
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/{pid}"):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def wait_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


class HostClient:
    """A spawner host subprocess and the requests sent to it."""

    def __init__(self, proc, stderr_path):
        self.proc = proc
        self.stderr_path = stderr_path
        self.notifications = []
        self.lines = []  # every raw line read, to prove the channel stayed clean
        self._answers = {}
        self._next_id = 0
        self._changed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self):
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            message = json.loads(line)  # a non-JSON line fails the test here
            if "id" in message and "event" not in message:
                fut = self._answers.pop(message["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(message)
            else:
                self.notifications.append(message)
                self._changed.set()

    async def call(self, op, timeout=30, **fields):
        """Send a request, return the whole answer ({"id","ok","result"|"error"})."""
        self._next_id += 1
        request_id = self._next_id
        fut = asyncio.get_running_loop().create_future()
        self._answers[request_id] = fut
        self.proc.stdin.write((json.dumps({"id": request_id, "op": op, **fields}) + "\n").encode())
        await self.proc.stdin.drain()
        return await asyncio.wait_for(fut, timeout)

    async def ok(self, op, **fields):
        message = await self.call(op, **fields)
        assert message["ok"], message.get("error")
        return message["result"]

    def events(self, kind, server=None):
        return [n for n in self.notifications if n.get("event") == kind and (server is None or n.get("server") == server)]

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def kill(self):
        """SIGKILL to the host itself; its keeper (the process started) stays while servers run."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    async def ended(self):
        """Waits until the host's channel closed (it exited or was killed)."""
        await asyncio.wait_for(asyncio.shield(self._reader), 10)

    async def close(self):
        if self.proc.returncode is None:
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await asyncio.gather(self._reader, return_exceptions=True)


@pytest.fixture
async def start_host(tmp_path):
    hosts = []

    async def start(config, **env):
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = os.pathsep.join([SPAWNERHOST, TESTS])
        full_env["SPAWNERHOST_TEST_DIR"] = str(tmp_path)
        full_env.update(env)
        stderr_path = tmp_path / f"host-{len(hosts)}.stderr"
        with open(stderr_path, "wb") as err:
            proc = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "outpost_spawnerhost", "--config", os.path.join(CONFIGS, config),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err,
                env=full_env, limit=64 * 1024 * 1024,
            )
        _host_pids.add(proc.pid)
        host = HostClient(proc, stderr_path)
        hosts.append(host)
        hello = await host.ok("hello")
        assert hello["protocol"] == 1
        host.pid = hello["pid"]
        assert host.pid != proc.pid, "the host runs under its keeper"
        return host

    yield start
    for host in hosts:
        await host.close()
        if host.stderr_path.exists():
            sys.stderr.write(f"--- {host.stderr_path.name}\n{host.stderr()[-4000:]}")


@pytest.fixture
def processes():
    """Pids a test started through a spawner; killed (group and all) at teardown."""
    pids = []
    yield pids
    for pid in pids:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class _HubApi(BaseHTTPRequestHandler):
    """Just enough hub API for jupyterhub-singleuser to start: it checks the version."""

    def do_GET(self):
        body = b'{"version": "3.0.0"}'
        self.send_response(200)
        self.send_header("X-JupyterHub-Version", "3.0.0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def hub_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HubApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hub/api"
    server.shutdown()
    server.server_close()
