"""The hub API handler the Outpost posts progress events to, called as tornado would after the scope check."""
import json
from types import SimpleNamespace

import pytest
from tornado import web

from outpostspawner import handlers
from outpostspawner.handlers import SpawnEventsAPIHandler

post = SpawnEventsAPIHandler.post.__wrapped__  # without needs_scope: scopes are JupyterHub's business


class FakeHandler:
    """What SpawnEventsAPIHandler.post uses of a JupyterHub APIHandler."""

    _receive = SpawnEventsAPIHandler._receive

    def __init__(self, spawner, event, current_user=None):
        self.request = SimpleNamespace(body=json.dumps(event).encode())
        self.spawner = spawner
        self.current_user = current_user
        self.status = None
        self.answer = None
        self.lookups = 0

    def finish(self, body):
        self.answer = body

    def get_current_user_token(self):
        return object()  # token-authenticated

    def set_header(self, name, value):
        pass

    def set_status(self, code):
        self.status = code

    def find_user(self, name):
        self.lookups += 1
        return self.spawner.user if name == self.spawner.user.name else None


async def send(spawner, event):
    handler = FakeHandler(spawner, event)
    await post(handler, spawner.user.name, spawner.name)
    return handler.status


async def test_an_event_sent_again_is_acknowledged_and_recorded_once(make_spawner):
    spawner = make_spawner("s1")
    event = {"progress": 30, "message": "Starting", "id": "0195f3c1-0001"}

    assert await send(spawner, event) == 204
    assert await send(spawner, dict(event)) == 204
    assert await send(spawner, {"progress": 50, "message": "Listening", "id": "0195f3c1-0002"}) == 204

    assert [e["message"] for e in spawner.events] == ["Starting", "Listening"]
    assert [e["id"] for e in spawner.events] == ["0195f3c1-0001", "0195f3c1-0002"]


async def test_a_failed_event_sent_again_cancels_the_start_only_once(make_spawner, monkeypatch):
    spawner = make_spawner("s2")
    reasons = []

    async def cancel_or_stop(handler, spawner, reason):
        reasons.append(reason)

    monkeypatch.setattr(handlers, "cancel_or_stop", cancel_or_stop)
    failed = {"progress": 100, "message": "Outpost says no", "failed": True, "id": "0195f3c1-0003"}

    assert await send(spawner, failed) == 204
    assert await send(spawner, dict(failed)) == 204

    assert reasons == ["Outpost says no"]
    assert len(spawner.events) == 1


async def test_events_without_an_id_are_all_recorded(make_spawner):
    spawner = make_spawner("s3")
    event = {"progress": 30, "message": "Starting"}  # an Outpost from before events had ids

    assert await send(spawner, event) == 204
    assert await send(spawner, dict(event)) == 204

    assert [e["message"] for e in spawner.events] == ["Starting", "Starting"]


async def test_a_repeat_is_recognised_even_when_filter_events_drops_the_id(make_spawner):
    spawner = make_spawner("s4", filter_events=lambda spawner, event: {"progress": event["progress"], "message": "filtered"})
    event = {"progress": 30, "message": "Starting", "id": "0195f3c1-0004"}

    assert await send(spawner, event) == 204
    assert await send(spawner, dict(event)) == 204

    assert [(e["message"], e["id"]) for e in spawner.events] == [("filtered", "0195f3c1-0004")]


async def test_a_batch_is_taken_event_by_event_and_answered_with_each_status(make_spawner, monkeypatch):
    spawner = make_spawner("s5", filter_events=lambda spawner, event: None if event.get("drop") else event)
    reasons = []

    async def cancel_or_stop(handler, spawner, reason):
        reasons.append(reason)

    monkeypatch.setattr(handlers, "cancel_or_stop", cancel_or_stop)
    batch = [
        {"progress": 0, "message": "Requested", "id": "b1"},
        {"progress": 30, "message": "Starting", "id": "b2"},
        {"progress": 40, "message": "noise", "drop": True, "id": "b3"},
        "not an event",
        {"progress": 30, "message": "Starting", "id": "b2"},  # a repeat within the batch
        {"progress": 100, "message": "Outpost says no", "failed": True, "id": "b4"},
    ]
    handler = FakeHandler(spawner, batch)
    await post(handler, spawner.user.name, spawner.name)

    assert handler.status == 200
    assert handler.answer == {"statuses": [204, 204, 400, 400, 204, 204]}
    assert [e["id"] for e in spawner.events] == ["b1", "b2", "b4"]
    assert reasons == ["Outpost says no"]


@pytest.mark.parametrize("size", [0, handlers.MAX_EVENTS_PER_BATCH + 1])
async def test_an_empty_or_oversized_batch_is_refused(make_spawner, size):
    spawner = make_spawner("s6")
    with pytest.raises(web.HTTPError) as refused:
        await post(FakeHandler(spawner, [{"progress": 1}] * size), spawner.user.name, spawner.name)
    assert refused.value.status_code == 400
    assert spawner.events == []


async def test_the_servers_own_token_finds_the_spawner_without_a_user_lookup(make_spawner):
    spawner = make_spawner("s6")
    event = {"progress": 30, "message": "Starting", "id": "c1"}

    own = FakeHandler(spawner, event, current_user=spawner.user)
    await post(own, spawner.user.name, spawner.name)
    admin = FakeHandler(spawner, dict(event, id="c2"), current_user=SimpleNamespace(name="admin", orm_user=object()))
    await post(admin, spawner.user.name, spawner.name)

    assert (own.status, own.lookups) == (204, 0)
    assert (admin.status, admin.lookups) == (204, 1)
    assert [e["id"] for e in spawner.events] == ["c1", "c2"]
