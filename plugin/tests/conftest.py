"""Fixtures: a fake Outpost and a fake Kubernetes API (tornado apps on loopback),
a recording ssh runner, and a spawner factory with a real JupyterHub User/orm."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import sys
from dataclasses import dataclass, field

import pytest
from tornado import web
from tornado.httpserver import HTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # use the package from the folder

from jupyterhub import orm  # noqa: E402
from jupyterhub.objects import Hub  # noqa: E402
from jupyterhub.user import User  # noqa: E402

from outpostspawner import OutpostSpawner  # noqa: E402

HUB_NAME = "hub1"
HUB_PASSWORD = "s3cret-pw"
BASIC = "Basic " + base64.b64encode(f"{HUB_NAME}:{HUB_PASSWORD}".encode()).decode()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- fake Outpost
@dataclass
class FakeOutpostState:
    requests: list = field(default_factory=list)
    servers: dict = field(default_factory=dict)  # (name, start_id) -> {"status": ...}
    start_reply: tuple | None = None  # (code, body) overrides the default answer
    service: str = "127.0.0.1:34567"
    poll_reply: tuple | None = None
    stop_reply: tuple | None = None
    start_delay: float = 0.0
    url: str = ""
    flavors: dict = field(default_factory=dict)  # GET /flavors answer
    user_flavors: dict = field(default_factory=dict)  # POST /userflavors answer
    flavors_delay: float = 0.0
    posts_answered: int = 0  # start requests answered so far (after start_delay)
    profiles: dict | None = None  # GET /profiles answer; None: an Outpost without the endpoint (404)
    profile_requests: int = 0
    bulk_poll: bool = True  # GET /services?poll=true adds each server's poll answer; False: the original Outpost

    def of(self, method: str) -> list:
        return [r for r in self.requests if r["method"] == method]


class _OutpostHandler(web.RequestHandler):
    def initialize(self, state: FakeOutpostState):
        self.state = state

    def prepare(self):
        self.state.requests.append({
            "method": self.request.method, "path": self.request.path,
            "query": self.request.query, "headers": dict(self.request.headers),
            "body": json.loads(self.request.body) if self.request.body else None,
        })
        if self.request.headers.get("Authorization") != BASIC:
            self.set_status(401)
            self.finish({"detail": "Incorrect username or password"})

    def reply(self, code, body):
        self.set_status(code)
        self.finish(json.dumps(body))

    async def post(self):
        import asyncio

        if self.state.start_delay:
            await asyncio.sleep(self.state.start_delay)
        try:
            return self._start()
        finally:
            self.state.posts_answered += 1

    def _start(self):
        body = json.loads(self.request.body)
        start_id = body["user_options"].get("start_id", "0")
        if self.state.start_reply:
            return self.reply(*self.state.start_reply)
        self.state.servers[(body["name"], start_id)] = {"status": None}
        if self.request.headers.get("execution-type") == "async":
            return self.reply(202, {"service": ""})
        return self.reply(200, {"service": self.state.service})

    def get(self, name=None, start_id="0"):
        if name is None:
            return self._list()
        if self.state.poll_reply:
            return self.reply(*self.state.poll_reply)
        server = self.state.servers.get((name, start_id))
        if server is None:
            return self.reply(404, {"detail": "Item not found"})
        return self.reply(200, {"status": server["status"], "logs": ["line1", "line2"]})

    def _list(self):
        """The hub's servers; with ``?poll=true`` (and ``bulk_poll``) each with what its own poll answers."""
        entries = []
        for (name, start_id), server in self.state.servers.items():
            entry = {"name": name, "start_id": start_id, "jupyterhub": HUB_NAME, "phase": "running"}
            if self.state.bulk_poll and self.get_query_argument("poll", "") == "true":
                code, body = self.state.poll_reply or (200, {"status": server["status"]})
                if code == 404:
                    continue
                entry["poll"] = {"status": body.get("status")} if code == 200 else \
                    {"status": None, "error": json.dumps(body)}
            entries.append(entry)
        self.reply(200, entries)

    def delete(self, name, start_id="0"):
        if self.state.stop_reply:
            return self.reply(*self.state.stop_reply)
        if self.state.servers.pop((name, start_id), None) is None:
            return self.reply(404, {"detail": "Item not found"})
        if self.request.headers.get("execution-type") == "async":
            return self.reply(202, {})
        return self.reply(200, {"logs": ["bye"]})


class _FlavorsHandler(_OutpostHandler):
    async def get(self):
        import asyncio

        if self.state.flavors_delay:
            await asyncio.sleep(self.state.flavors_delay)
        self.reply(200, self.state.flavors)

    async def post(self):
        self.reply(200, self.state.user_flavors)


class _ProfilesHandler(web.RequestHandler):
    """Not recorded in ``requests``: tests that count flavor requests keep their numbers."""

    def initialize(self, state: FakeOutpostState):
        self.state = state

    def get(self):
        self.state.profile_requests += 1
        if self.state.profiles is None:
            raise web.HTTPError(404)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.state.profiles))


def serve(app):
    """Serves a tornado app on a free port of 127.0.0.1; the server and its port."""
    port = free_port()
    server = HTTPServer(app)
    server.listen(port, "127.0.0.1")
    return server, port


@pytest.fixture(autouse=True)
def _no_shared_bulk_reads():
    """Every test starts without the bulk poll reads (and "unsupported" marks) of earlier tests."""
    from outpostspawner.bulkpoll import BULK_POLLS

    BULK_POLLS.forget()
    yield
    BULK_POLLS.forget()


@pytest.fixture
async def outpost():
    state = FakeOutpostState()
    app = web.Application([
        (r"/flavors/?", _FlavorsHandler, {"state": state}),
        (r"/userflavors/?", _FlavorsHandler, {"state": state}),
        (r"/profiles/?", _ProfilesHandler, {"state": state}),
        (r"/services/?", _OutpostHandler, {"state": state}),
        (r"/services/([^/]+)/?", _OutpostHandler, {"state": state}),
        (r"/services/([^/]+)/([^/]+)/?", _OutpostHandler, {"state": state}),
    ])
    server, port = serve(app)
    state.url = f"http://127.0.0.1:{port}/services/"
    yield state
    server.stop()


# ---------------------------------------------------------------- fake Kubernetes API
@dataclass
class FakeKubeState:
    services: dict = field(default_factory=dict)  # (ns, name) -> manifest
    requests: list = field(default_factory=list)
    url: str = ""
    token: str = "kube-token-123"


class _KubeServicesHandler(web.RequestHandler):
    def initialize(self, state: FakeKubeState):
        self.state = state

    def prepare(self):
        self.state.requests.append((self.request.method, self.request.path,
                                    self.request.headers.get("Authorization")))
        if self.request.headers.get("Authorization") != f"Bearer {self.state.token}":
            self.set_status(401)
            self.finish({"kind": "Status", "code": 401, "message": "Unauthorized"})

    def status(self, code, reason, message):
        self.set_status(code)
        self.finish({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                     "reason": reason, "message": message, "code": code})

    def get(self, ns, name=None):
        if name is None:
            items = [s for (n, _), s in self.state.services.items() if n == ns]
            return self.finish({"kind": "ServiceList", "apiVersion": "v1", "items": items})
        svc = self.state.services.get((ns, name))
        if svc is None:
            return self.status(404, "NotFound", f'services "{name}" not found')
        self.finish(svc)

    def post(self, ns, name=None):
        body = json.loads(self.request.body)
        name = body["metadata"]["name"]
        if (ns, name) in self.state.services:
            return self.status(409, "AlreadyExists", f'services "{name}" already exists')
        body["metadata"]["namespace"] = ns
        body["metadata"]["uid"] = f"uid-{len(self.state.requests)}"
        self.state.services[(ns, name)] = body
        self.set_status(201)
        self.finish(body)

    def delete(self, ns, name=None):
        svc = self.state.services.pop((ns, name), None)
        if svc is None:
            return self.status(404, "NotFound", f'services "{name}" not found')
        self.finish({"kind": "Status", "status": "Success"})


@pytest.fixture
async def kube(tmp_path):
    state = FakeKubeState()
    app = web.Application([
        (r"/api/v1/namespaces/([^/]+)/services/?", _KubeServicesHandler, {"state": state}),
        (r"/api/v1/namespaces/([^/]+)/services/([^/]+)", _KubeServicesHandler, {"state": state}),
    ])
    server, port = serve(app)
    state.url = f"http://127.0.0.1:{port}"
    token_file = tmp_path / "kube-token"
    token_file.write_text(state.token + "\n")
    state.token_file = str(token_file)
    yield state
    server.stop()


# ---------------------------------------------------------------- fake ssh
class RecordingSshRunner:
    """Records every argv; answers with scripted return codes (default 0)."""

    def __init__(self):
        self.ssh_command = "ssh"
        self.calls: list[list[str]] = []
        self.rc_for: dict[str, list[int]] = {}  # "-O check" -> [rc, rc, ...]

    def _key(self, argv):
        if "-O" in argv:
            return "-O " + argv[argv.index("-O") + 1]
        if argv[-1] in ("start", "stop", "status"):
            return argv[-1]
        return "connect"

    async def run(self, argv, timeout=10, capture=True):
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
        self.calls.append(list(argv))
        queue = self.rc_for.get(self._key(argv))
        rc = queue.pop(0) if queue else 0
        return rc, "", ""

    def ops(self):
        return [self._key(a) for a in self.calls]


@pytest.fixture(autouse=True)
async def stop_forward_watcher():
    """The watcher's task belongs to one test's event loop: end it with the test."""
    from outpostspawner.healing import WATCHER

    yield WATCHER
    task, WATCHER._task = WATCHER._task, None
    if task is not None and not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=5)
    WATCHER._spawners.clear()


@pytest.fixture
def ssh_runner():
    return RecordingSshRunner()


# ---------------------------------------------------------------- spawner factory
@pytest.fixture
def db():
    session = orm.new_session_factory("sqlite:///:memory:")()
    yield session
    session.close()


@pytest.fixture
def make_spawner(db, outpost, ssh_runner):
    """make_spawner(name="", user="alice", **traits) -> OutpostSpawner bound to the fake Outpost."""
    users = {}

    def factory(name: str = "", user: str = "alice", **traits):
        if user not in users:
            orm_user = orm.User(name=user)
            db.add(orm_user)
            db.commit()
            users[user] = User(orm_user, {"spawner_class": OutpostSpawner})
        u = users[user]
        hub = Hub(ip="127.0.0.1", port=18081, base_url="/hub/")
        defaults = dict(
            request_url=outpost.url,
            request_headers={"Authorization": BASIC},
            svc_create=False,
            ssh_node="127.0.0.1",
            ssh_local_bind_address="127.0.0.1",
            poll_jitter=0,
        )
        defaults.update(traits)
        spawner = u._new_spawner(name, spawner_class=OutpostSpawner, hub=hub, **defaults)
        u.spawners[name] = spawner
        spawner.api_token = "server-token-xyz"
        spawner.ssh_runner = ssh_runner
        return spawner

    return factory
