"""An Outpost's sshd restart announcement at /recreateforward/{system}: who may send it, what body is accepted."""
import asyncio
import json
import logging
from types import SimpleNamespace

import pytest
from tornado import web

from outpostspawner import handlers
from outpostspawner.handlers import RecreateForwardAPIHandler, parse_announcement


class FakeHandler:
    """What RecreateForwardAPIHandler uses of a JupyterHub APIHandler."""

    log = logging.getLogger("test_announcements")
    _run = RecreateForwardAPIHandler._run
    _announced = RecreateForwardAPIHandler._announced

    def __init__(self, body, user="alice", scopes=(), running=("alice",)):
        self.request = SimpleNamespace(method="POST", body=json.dumps(body).encode() if not isinstance(body, bytes) else body)
        self.current_user = SimpleNamespace(name=user) if user else None
        self.expanded_scopes = set(scopes)
        self.running = [SimpleNamespace(user=SimpleNamespace(name=n), _log_name=n) for n in running]
        self.status, self.written = None, None

    def _spawners(self, name):
        return self.running

    def get_current_user_token(self):
        return "server-token"

    def set_status(self, code):
        self.status = code

    def write(self, data):
        self.written = data


@pytest.fixture(autouse=True)
def healed(monkeypatch):
    calls = []

    async def record(spawners):
        calls.append([sp.user.name for sp in spawners])

    monkeypatch.setattr(handlers, "heal_forwards", record)
    monkeypatch.setattr(RecreateForwardAPIHandler, "_last_announcement", {})
    return calls


async def test_a_server_token_of_the_system_makes_the_hub_check_its_forwards(healed):
    handler = FakeHandler({"reason": "outpost_started", "id": "0195f3c1-0001"}, running=("alice", "bob"))
    await handler._run("sysA")
    await asyncio.sleep(0)  # let the scheduled check run
    assert handler.status == 202 and handler.written == {"servers": 2}
    assert healed == [["alice", "bob"]]


async def test_a_user_without_a_running_server_on_the_system_is_refused(healed):
    handler = FakeHandler({"reason": "sshd_restarted"}, user="mallory", running=("alice",))
    with pytest.raises(web.HTTPError) as e:
        await handler._run("sysA")
    assert e.value.status_code == 403 and healed == []


async def test_a_second_announcement_moments_later_is_throttled(healed):
    await FakeHandler({"reason": "sshd_restarted"})._run("sysA")
    with pytest.raises(web.HTTPError) as e:
        await FakeHandler({"reason": "sshd_restarted"})._run("sysA")
    assert e.value.status_code == 429
    await FakeHandler({"reason": "sshd_restarted"})._run("sysB")  # another system is not held up


async def test_without_body_or_scope_the_admin_api_still_needs_its_scope(healed):
    with pytest.raises(web.HTTPError) as e:
        await FakeHandler(b"")._run("sysA")
    assert e.value.status_code == 403


@pytest.mark.parametrize("body, field", [
    (b"x" * 2000, "body"),
    (b"not json", "body"),
    (b"[1]", "body"),
    (b'{"reason": "outpost_started", "cmd": "rm -rf /"}', "body"),
    (b'{"reason": "$(reboot)"}', "reason"),
    (b'{}', "reason"),
    (b'{"reason": "sshd_restarted", "id": "../../etc"}', "id"),
    (b'{"reason": "sshd_restarted", "id": 5}', "id"),
    (b'{"reason": "sshd_restarted", "id": "' + b"a" * 65 + b'"}', "id"),
])
def test_hostile_bodies_are_refused_naming_the_field(body, field):
    with pytest.raises(web.HTTPError) as e:
        parse_announcement(body)
    assert e.value.status_code == 400 and e.value.log_message.startswith(f"{field}:")


def test_a_valid_body_is_accepted():
    assert parse_announcement(b'{"reason": "sshd_restarted", "id": "0195f3c1-0001"}')["reason"] == "sshd_restarted"
