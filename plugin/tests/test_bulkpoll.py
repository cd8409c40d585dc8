"""Polls that share one status read of all servers (``GET /services?poll=true``), against the fake Outpost (which
answers the list like the Outpost, or, with ``bulk_poll = False``, like the original Outpost: without ``poll``)."""
from __future__ import annotations

import asyncio
import logging

import pytest
from traitlets import TraitError

from outpostspawner.bulkpoll import BULK_POLLS, NOT_LISTED, Listed, parse


def reads(outpost) -> int:
    return sum(1 for r in outpost.of("GET") if r["path"].rstrip("/") == "/services" and r["query"] == "poll=true")


def single_polls(outpost) -> int:
    return sum(1 for r in outpost.of("GET") if r["path"].count("/") >= 3)


async def started(make_spawner, *names, **traits):
    out = []
    for name in names:
        sp = make_spawner(name, **traits)
        await sp.start()
        out.append(sp)
    return out


async def test_polls_of_many_servers_share_one_read(make_spawner, outpost):
    spawners = await started(make_spawner, "a", "b", "c", "d")
    outpost.servers[("c", spawners[2].start_id)]["status"] = 7
    assert await asyncio.gather(*(sp.poll() for sp in spawners)) == [None, None, 7, None]
    assert reads(outpost) == 1 and single_polls(outpost) == 0
    assert await spawners[0].poll() is None  # the read is still fresh
    assert reads(outpost) == 1


async def test_a_read_older_than_max_age_is_not_used(make_spawner, outpost, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(type(BULK_POLLS), "clock", staticmethod(lambda: now[0]))
    a, = await started(make_spawner, "a", poll_bulk_max_age=5)
    a._known_since = now[0]
    assert await a.poll() is None
    now[0] += 5
    assert await a.poll() is None
    assert reads(outpost) == 1
    outpost.servers[("a", a.start_id)]["status"] = 3
    now[0] += 0.1
    assert await a.poll() == 3
    assert reads(outpost) == 2


async def test_a_server_started_after_the_read_began_is_not_taken_for_gone(make_spawner, outpost):
    a, = await started(make_spawner, "a")
    assert await a.poll() is None
    b, = await started(make_spawner, "b")  # not in the first read
    assert await b.poll() is None, "a read from before its start cannot say it is gone"
    assert reads(outpost) == 2


@pytest.mark.parametrize("keep_running,expected", [(False, 0), (True, None)])
async def test_a_server_the_read_does_not_list_is_a_404(make_spawner, outpost, keep_running, expected):
    a, = await started(make_spawner, "a", request_404_poll_keep_running=keep_running)
    outpost.servers.clear()  # the Outpost lost it
    assert await a.poll() == expected
    assert single_polls(outpost) == 0


async def test_a_server_whose_backend_could_not_be_asked_is_polled_on_its_own(make_spawner, outpost, caplog):
    a, = await started(make_spawner, "a")
    outpost.poll_reply = (419, {"module": "outpost", "class": "BackendException", "traceback": "",
                                "args": ["cluster unreachable"], "kwargs": {}})
    assert await a.poll() is None  # request_failed_poll_keep_running: the single poll's 419, as before
    assert reads(outpost) == 1 and single_polls(outpost) == 1
    assert any("cluster unreachable" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


async def test_against_the_original_outpost_every_poll_is_its_own(make_spawner, outpost, caplog):
    caplog.set_level(logging.INFO)
    outpost.bulk_poll = False  # the original Outpost ignores ?poll=true and answers the plain list
    a, b = await started(make_spawner, "a", "b")
    outpost.servers[("b", b.start_id)]["status"] = 5
    assert await a.poll() is None
    assert await b.poll() == 5
    assert reads(outpost) == 1, "asked once, then remembered"
    assert single_polls(outpost) == 2
    assert len([r for r in caplog.records if "does not answer GET /services?poll=true" in r.getMessage()]) == 1


async def test_a_failed_read_falls_back_and_is_not_repeated_at_once(make_spawner, outpost, monkeypatch):
    from outpostspawner.client import OutpostClient

    attempts = []
    real = OutpostClient.poll_all

    async def counted(self):
        attempts.append(self.base_url)
        return await real(self)

    monkeypatch.setattr(OutpostClient, "poll_all", counted)
    a, = await started(make_spawner, "a")
    a.request_url = "http://127.0.0.1:1/services"  # the Outpost stops answering
    assert await a.poll() is None  # the single poll fails too: request_failed_poll_keep_running
    assert await a.poll() is None
    assert len(attempts) == 1, "no second read within poll_bulk_max_age"
    a.request_url = outpost.url  # another Outpost (URL) is read as usual
    assert await a.poll() is None
    assert reads(outpost) == 1 and single_polls(outpost) == 0


@pytest.mark.parametrize("traits", [
    {"collect_logs_polling": True},
    {"request_headers": {"Authorization": "Basic aHViMTpzM2NyZXQtcHc=", "auth-state-access_token": "t"}},
    {"poll_bulk_max_age": 0},
])
async def test_polls_that_need_their_own_request(make_spawner, outpost, traits):
    a, = await started(make_spawner, "a", **traits)
    assert await a.poll() is None
    assert reads(outpost) == 0 and single_polls(outpost) == 1


@pytest.mark.parametrize("value", [-1, float("inf"), float("nan")])
def test_max_age_is_validated(make_spawner, value):
    with pytest.raises(TraitError, match="poll_bulk_max_age"):
        make_spawner("a", poll_bulk_max_age=value)


def test_parse_reads_the_outposts_answer():
    entries = [{"name": "a", "start_id": "1", "poll": {"status": None}},
               {"name": "b", "start_id": "2", "poll": {"status": 3}},
               {"name": "c", "start_id": "3", "poll": {"status": None, "error": "no backend"}}]
    statuses = parse(entries)
    assert BULK_POLLS._verdict(statuses, "a", "1") == Listed(None)
    assert BULK_POLLS._verdict(statuses, "b", "2") == Listed(3)
    assert BULK_POLLS._verdict(statuses, "c", "3") is None
    assert BULK_POLLS._verdict(statuses, "a", "2") is NOT_LISTED
    assert parse([]) == {}
    assert parse([{"name": "a", "start_id": "1", "phase": "running"}]) is None, "the original's list"


async def test_a_spawner_reuses_its_client_while_its_settings_stay_equal(make_spawner):
    sp = make_spawner("reuse")
    first = await sp.outpost_client()
    assert await sp.outpost_client() is first
    sp.request_headers["X-Extra"] = "1"  # changed in place: the cached copy tells
    second = await sp.outpost_client()
    assert second is not first and second.headers["X-Extra"] == "1"
    sp.request_kwargs = {"request_timeout": 7}
    third = await sp.outpost_client()
    assert third is not second and third.request_kwargs == {"request_timeout": 7}
    sp.request_url = lambda spawner, user_options: "http://127.0.0.1:9/other/services"
    assert (await sp.outpost_client()).base_url == "http://127.0.0.1:9/other/services"
