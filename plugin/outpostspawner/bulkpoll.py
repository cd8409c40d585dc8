"""One status read for the polls of many servers.

JupyterHub polls every server on its own timer. With the per-server poll, 1,000 servers are 1,000 HTTP requests
per ``poll_interval``, most of the hub's idle CPU. An Outpost that knows ``GET /services?poll=true`` answers the
hub's whole list with each server's poll answer under ``poll`` (``{"status": null | int}``, plus ``error`` when the
backend could not be asked), computed as its ``GET /services/{name}/{start_id}`` would be at that moment.

:data:`BULK_POLLS` shares one such read among every poll that asks the same Outpost with the same credentials
(URL, headers, request arguments): a poll takes the last read when it is at most ``poll_bulk_max_age`` seconds old
and began after the server's start returned (so a server always appears in a read that could see it), otherwise
it starts a read, or joins the one in flight. Its verdict for one server:

- :class:`Listed` with the status: the Outpost's poll answer;
- :data:`NOT_LISTED`: the Outpost does not know the server (what a 404 of its own poll says);
- ``None``: ask the server's own poll URL instead. That is the answer when the Outpost could not ask the backend
  for this server (its single poll then reports the error as before), when the read failed (the next
  ``poll_bulk_max_age`` seconds poll one by one), and for an Outpost without the feature: the original Outpost
  ignores the parameter and answers the plain list, whose entries have no ``poll`` (then every poll of that
  Outpost goes to the server's own URL for ten minutes, and the feature is asked for again).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

log = logging.getLogger("outpostspawner.bulkpoll")

# How long an Outpost that answered without ``poll`` is polled one server at a time before it is asked again
# (it may have been upgraded meanwhile).
UNSUPPORTED_RECHECK_SECONDS = 600.0


@dataclass(frozen=True)
class Listed:
    """The server is in the read; ``status`` is its poll answer (None while it runs)."""

    status: int | None


NOT_LISTED = object()
_ERROR = object()  # the Outpost could not ask the backend for this server


def _status(value) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1  # as ServerStatus.from_json reads an odd status


def parse(entries: list) -> dict | None:
    """(name, start_id) -> status, or ``_ERROR``; None when the answer has no poll results (an Outpost without
    the feature). An empty list is a valid answer: the hub has no servers there."""
    out: dict = {}
    for entry in entries:
        if not isinstance(entry, dict):
            return None
        poll = entry.get("poll")
        if not isinstance(poll, dict) or "status" not in poll:
            return None
        key = (str(entry.get("name", "")), str(entry.get("start_id", "")))
        out[key] = _ERROR if poll.get("error") else _status(poll.get("status"))
    return out


class _Read:
    def __init__(self, started: float, task: asyncio.Task):
        self.started, self.task = started, task


class _Outpost:
    """The reads of one Outpost (one URL and set of credentials)."""

    def __init__(self):
        self.last: tuple[float, dict] | None = None  # (when the read began, its statuses)
        self.running: _Read | None = None
        self.unsupported_until = 0.0
        self.failed_until = 0.0


class BulkPolls:
    clock = staticmethod(time.monotonic)

    def __init__(self):
        self._outposts: dict[tuple, _Outpost] = {}

    @staticmethod
    def applies(client, collect_logs: bool) -> bool:
        """Polls that collect logs need the single poll (the list has none), and so does a hub that sends
        ``auth-state-*`` headers: the Outpost refreshes a server's auth state from its own poll only."""
        if collect_logs:
            return False
        plain = getattr(client, "_bulk_poll_plain", None)  # the client's headers never change
        if plain is None:
            plain = client._bulk_poll_plain = not any(str(n).lower().startswith("auth-state-") for n in client.headers)
        return plain

    @staticmethod
    def key(client) -> tuple:
        """Which Outpost and credentials; kept on the client (a spawner reuses its client while its settings stay the
        same, and the client's settings never change)."""
        key = getattr(client, "_bulk_poll_key", None)
        if key is None:
            key = client._bulk_poll_key = (
                client.base_url, json.dumps(client.headers, sort_keys=True, default=str),
                json.dumps(client.request_kwargs, sort_keys=True, default=str), id(client.http))
        return key

    async def status(self, client, name: str, start_id: str, since: float, max_age: float):
        """The verdict for one server (see the module text). ``since``: when the server's start returned (or the
        hub loaded it); only a read that began later may say it is not listed."""
        key = self.key(client)
        outpost = self._outposts.get(key) or self._outposts.setdefault(key, _Outpost())
        now = self.clock()
        if now < outpost.unsupported_until or now < outpost.failed_until:
            return None
        last = outpost.last
        if last is not None and last[0] >= since and now - last[0] <= max_age:
            return self._verdict(last[1], name, start_id)
        running = outpost.running
        if running is None or running.task.done() or running.started < since \
                or running.task.get_loop() is not asyncio.get_running_loop():
            running = outpost.running = _Read(now, asyncio.ensure_future(self._read(outpost, client, now, max_age)))
        # shielded: one poll cancelled (a hub shutting down) does not cancel the read the others wait for
        statuses = await asyncio.shield(running.task)
        if statuses is None:
            return None
        return self._verdict(statuses, name, start_id)

    @staticmethod
    def _verdict(statuses: dict, name: str, start_id: str):
        value = statuses.get((name, start_id), NOT_LISTED)
        if value is NOT_LISTED:
            return NOT_LISTED
        return None if value is _ERROR else Listed(value)

    async def _read(self, outpost: _Outpost, client, started: float, max_age: float) -> dict | None:
        try:
            entries = await client.poll_all()
        except Exception as e:
            outpost.failed_until = self.clock() + max(max_age, 1.0)
            log.warning("Reading the poll status of all servers from %s failed (%s); polling each server on its "
                        "own for %.0f s", client.base_url, e, max(max_age, 1.0))
            return None
        statuses = parse(entries)
        if statuses is None:
            outpost.unsupported_until = self.clock() + UNSUPPORTED_RECHECK_SECONDS
            log.info("The Outpost at %s does not answer GET /services?poll=true (an older Outpost); polling each "
                     "server on its own", client.base_url)
            return None
        if outpost.last is None or outpost.last[0] <= started:
            outpost.last = (started, statuses)
        return statuses

    def forget(self) -> None:
        """Drops every read (tests)."""
        self._outposts.clear()


BULK_POLLS = BulkPolls()
