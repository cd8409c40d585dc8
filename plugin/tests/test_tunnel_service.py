"""The tunnel-service mode: options validated (errors name the option), the spawner picks the forward, and
against a loopback stand-in of the service's API: what a start sends, hostile values refused before any
request, healing and /recreateforward asking the service."""
import json
from dataclasses import dataclass, field

import pytest
from tornado import web
from tornado.httpserver import HTTPServer
from traitlets import TraitError

from conftest import free_port
from outpostspawner.forward import ServerForward
from outpostspawner.healing import ForwardHealer
from outpostspawner.ssh import TunnelInputError
from outpostspawner.tunnel_service import TunnelServiceError, TunnelServiceForward


@pytest.mark.parametrize("url", ["ftp://x", "http://", "tunnels:8089", "http://h:1/?a=b", "http://h#x"])
def test_bad_tunnel_service_url_is_refused_naming_the_option(make_spawner, url):
    with pytest.raises(TraitError, match="tunnel_service_url"):
        make_spawner("a", tunnel_service_url=url)


@pytest.mark.parametrize("selector", [{}, {"app": ""}, {"": "x"}])
def test_bad_tunnel_service_selector_is_refused(make_spawner, selector):
    with pytest.raises(TraitError, match="tunnel_service_selector"):
        make_spawner("a", tunnel_service_selector=selector)


def test_without_a_url_the_hub_runs_ssh_itself(make_spawner):
    sp = make_spawner("a")
    assert type(sp.forward) is ServerForward


def test_the_url_needs_a_token_file(make_spawner):
    sp = make_spawner("a", tunnel_service_url="http://127.0.0.1:8089/")
    with pytest.raises(ValueError, match="tunnel_service_token_file"):
        sp.forward


async def test_the_tunnel_service_forward_names_an_unreadable_token_file(make_spawner, tmp_path):
    sp = make_spawner("a", tunnel_service_url="http://127.0.0.1:8089/",
                      tunnel_service_token_file=str(tmp_path / "missing"))
    forward = sp.forward
    assert isinstance(forward, TunnelServiceForward)
    assert sp.tunnel_service_url == "http://127.0.0.1:8089"
    assert forward.connect_host() == "127.0.0.1"
    assert forward.server_id().startswith("alice-a-")
    with pytest.raises(TunnelServiceError, match="tunnel_service_token_file"):
        forward._token()


# ---------------------------------------------------------------- against a fake tunnel service

SERVICE_TOKEN = "tunnel-service-token-0123456789"


@dataclass
class FakeTunnelService:
    """The API of ``outpost tunnels serve`` in memory: forwards by server id, each up or down."""

    requests: list = field(default_factory=list)
    forwards: dict = field(default_factory=dict)  # server id -> {"body": ..., "healthy": bool}
    heals_on_get: bool = True  # GET re-creates a dead forward, as the service does
    url: str = ""

    def of(self, method: str) -> list:
        return [r for r in self.requests if r["method"] == method]


class _TunnelHandler(web.RequestHandler):
    def initialize(self, state: FakeTunnelService):
        self.state = state

    def prepare(self):
        self.state.requests.append({"method": self.request.method, "path": self.request.path,
                                    "body": json.loads(self.request.body) if self.request.body else None})
        if self.request.headers.get("Authorization") != f"Bearer {SERVICE_TOKEN}":
            self.set_status(401)
            self.finish({"error": "missing or wrong bearer token", "field": None})

    def status(self, server_id):
        f = self.state.forwards[server_id]
        return {"serverId": server_id, "healthy": f["healthy"], "failures": 0}

    def put(self, server_id):
        body = json.loads(self.request.body)
        old = self.state.forwards.get(server_id)
        if old is None or old["body"] != body or not old["healthy"]:
            self.state.forwards[server_id] = {"body": body, "healthy": True,
                                              "made": (old or {}).get("made", 0) + 1}
        self.finish(self.status(server_id))

    def get(self, server_id):
        if server_id not in self.state.forwards:
            self.set_status(404)
            return self.finish({"error": "no forward", "field": "serverId"})
        if self.state.heals_on_get:
            self.state.forwards[server_id]["healthy"] = True
        self.set_status(200 if self.state.forwards[server_id]["healthy"] else 503)
        self.finish(self.status(server_id))

    def delete(self, server_id):
        if self.state.forwards.pop(server_id, None) is None:
            self.set_status(404)
            return self.finish({"error": "no forward", "field": "serverId"})
        self.set_status(204)


@pytest.fixture
async def tunnel_service(tmp_path):
    state = FakeTunnelService()
    port = free_port()
    server = HTTPServer(web.Application([(r"/tunnels/([^/]+)", _TunnelHandler, {"state": state})]))
    server.listen(port, "127.0.0.1")
    state.url = f"http://127.0.0.1:{port}"
    token = tmp_path / "tunnel-token"
    token.write_text(SERVICE_TOKEN + "\n")
    state.token_file = str(token)
    yield state
    server.stop()


def service_spawner(make_spawner, tunnel_service, name="ts", **traits):
    settings = dict(ssh_forward_check_interval=0, ssh_during_startup=True, ssh_key="/k/id", ssh_port=2222,
                    ssh_username="tunnel", tunnel_service_url=tunnel_service.url,
                    tunnel_service_token_file=tunnel_service.token_file)
    return make_spawner(name, **{**settings, **traits})


async def test_a_start_asks_the_service_and_runs_no_ssh_in_the_hub(make_spawner, tunnel_service, ssh_runner):
    sp = service_spawner(make_spawner, tunnel_service, ssh_forward_options={
        "ServerAliveInterval": "20", "UserKnownHostsFile": "/etc/outpost/known_hosts",
        "ControlPath": "/tmp/cm-%C", "ControlPersist": "yes"})
    url = await sp.start()

    body = tunnel_service.of("PUT")[0]["body"]
    assert body["sshNode"] == "127.0.0.1" and body["sshPort"] == 2222 and body["sshUser"] == "tunnel"
    assert body["sshKey"] == "/k/id" and body["localPort"] == sp.port and body["bindAddress"] == "127.0.0.1"
    assert (body["remoteHost"], body["remotePort"]) == ("127.0.0.1", 34567)
    # the configured options pass (allow-listed); the ones the service sets itself are left out
    assert body["sshOptions"]["ServerAliveInterval"] == "20"
    assert body["sshOptions"]["UserKnownHostsFile"] == "/etc/outpost/known_hosts"
    assert not {"ControlPath", "ControlPersist", "ControlMaster", "IdentityFile", "Port"} & set(body["sshOptions"])
    assert url.endswith(f"127.0.0.1:{sp.port}")
    assert sp.tunnels["tunnelservice"]["node"] == "127.0.0.1"
    assert ssh_runner.calls == []


@pytest.mark.parametrize("traits, info, field_name", [
    ({"ssh_node": "-oProxyCommand=touch /tmp/pwned"}, {}, "ssh_node"),
    ({"ssh_username": "root@evil"}, {}, "ssh_username"),
    ({"ssh_username": "Tunnel.User"}, {}, "ssh_username"),
    ({"ssh_port": 70000}, {}, "ssh_port"),
    ({"ssh_key": "relative/key"}, {}, "ssh_key"),
    ({"ssh_forward_options": {"ProxyCommand": "touch /tmp/pwned"}}, {}, "ssh_forward_options"),
    ({"ssh_forward_options": {"LocalCommand": "id"}}, {}, "ssh_forward_options"),
    ({"ssh_forward_options": {"LogLevel": "DEBUG3"}}, {}, "ssh_forward_options"),
    ({"ssh_local_bind_address": "localhost"}, {}, "ssh_local_bind_address"),
    ({}, {"service": "-oProxyCommand=x:8888"}, "service"),
    ({}, {"service": "evil host:8888"}, "service"),
    ({}, {"service": "127.0.0.1:99999"}, "service"),
])
async def test_hostile_values_are_refused_before_any_request(make_spawner, tunnel_service, traits, info, field_name):
    sp = service_spawner(make_spawner, tunnel_service, **traits)
    sp.port = 41234
    with pytest.raises(TunnelInputError) as e:
        await sp.forward.create({"service": "127.0.0.1:8888", **info})
    assert e.value.field == field_name
    assert tunnel_service.requests == []


async def test_healing_asks_the_service_to_check_and_then_to_make_the_forward_again(make_spawner, tunnel_service,
                                                                                   ssh_runner):
    sp = service_spawner(make_spawner, tunnel_service)
    await sp.start()
    assert await ForwardHealer(sp).heal() == "ok"

    # the service lost it (its state wiped, say): the GET answers 404, the healer sends the same PUT again
    tunnel_service.forwards.clear()
    assert await ForwardHealer(sp).heal() == "restored"
    assert [r["method"] for r in tunnel_service.requests] == ["PUT", "GET", "GET", "PUT", "GET"]
    assert tunnel_service.of("PUT")[0]["body"] == tunnel_service.of("PUT")[1]["body"]
    assert ssh_runner.calls == []


async def test_rebuild_after_an_ssh_node_restart_asks_again_and_removes_nothing(make_spawner, tunnel_service):
    sp = service_spawner(make_spawner, tunnel_service)
    await sp.start()
    made = tunnel_service.forwards[sp.forward.server_id()]["made"]

    await sp.rebuild_ssh_forward()

    assert tunnel_service.of("DELETE") == []
    assert [r["method"] for r in tunnel_service.requests] == ["PUT", "PUT"]
    # the same body: the service keeps the working forward
    assert tunnel_service.forwards[sp.forward.server_id()]["made"] == made


async def test_a_forward_the_service_does_not_have_is_diagnosed_as_such(make_spawner, tunnel_service):
    sp = service_spawner(make_spawner, tunnel_service)
    await sp.start()
    tunnel_service.forwards.clear()
    tunnel_service.heals_on_get = False
    assert await sp.forward.diagnose() == "the tunnel service has no forward for this server"


async def test_stop_removes_the_forward_at_the_service(make_spawner, tunnel_service):
    sp = service_spawner(make_spawner, tunnel_service)
    await sp.start()
    await sp.stop()
    assert tunnel_service.forwards == {}
    assert "tunnelservice" not in sp.tunnels
