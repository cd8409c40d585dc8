"""What each declared system's Outpost offers, cached for spawn forms and the status API.

One :class:`FlavorCache` per hub process. For each system it keeps the Outpost's last answer to
``GET /flavors`` (or its last usage push to ``/hub/api/outpostflavors/{system}``) and, for users
whose auth state asks for it, ``POST /userflavors``. Entries are reused for ``ttl`` seconds; a
failed request is remembered for as long, so an unreachable Outpost costs one timeout per period,
not one per form. Concurrent readers of a missing entry share one request.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Awaitable, Callable


@dataclass
class FlavorReport:
    """One Outpost's flavors (name -> definition with ``current``) or why there are none."""

    flavors: dict | None
    error: str = ""
    source: str = "fetch"  # "fetch" (asked by the hub) or "push" (sent by the Outpost)
    at: float = field(default_factory=time.monotonic)
    updated: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def reachable(self) -> bool:
        return self.flavors is not None


class FlavorCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._hub: dict[str, FlavorReport] = {}
        self._user: dict[tuple[str, str], FlavorReport] = {}
        self._profiles: dict[str, FlavorReport] = {}  # system -> GET /profiles answer
        self._inflight: dict[tuple, asyncio.Future] = {}
        self.requests = 0  # requests sent, for the status API and the tests

    # ------------------------------------------------------------------ reading
    def latest(self) -> dict[str, dict]:
        """system -> flavors as last known (what ``GET /hub/api/outpostflavors`` returns)."""
        return {name: r.flavors for name, r in self._hub.items() if r.flavors is not None}

    def report(self, system: str) -> FlavorReport | None:
        return self._hub.get(system)

    async def hub_flavors(self, system: str, fetch: Callable[[], Awaitable[dict]], ttl: float) -> FlavorReport:
        return await self._get(("hub", system), self._hub, system, fetch, ttl)

    async def user_flavors(self, system: str, user: str, fetch: Callable[[], Awaitable[dict]],
                           ttl: float) -> FlavorReport:
        return await self._get(("user", system, user), self._user, (system, user), fetch, ttl)

    async def profiles(self, system: str, fetch: Callable[[], Awaitable[dict]], ttl: float) -> FlavorReport:
        """The system's profile list (``GET /profiles``), cached like its flavors."""
        return await self._get(("profiles", system), self._profiles, system, fetch, ttl)

    async def _get(self, flight_key, store: dict, key, fetch, ttl: float) -> FlavorReport:
        report = store.get(key)
        if report is not None and self.clock() - report.at < ttl:
            return report
        future = self._inflight.get(flight_key)
        if future is None:
            future = asyncio.ensure_future(self._fetch(store, key, fetch))
            self._inflight[flight_key] = future
            future.add_done_callback(lambda _: self._inflight.pop(flight_key, None))
        return await asyncio.shield(future)

    async def _fetch(self, store: dict, key, fetch) -> FlavorReport:
        self.requests += 1
        try:
            flavors = await fetch()
            report = FlavorReport(flavors if isinstance(flavors, dict) else {}, at=self.clock())
        except Exception as e:  # unreachable, refused, timed out: the form says so
            report = FlavorReport(None, error=_reason(e), at=self.clock())
        store[key] = report
        return report

    # ------------------------------------------------------------------ writing
    def pushed(self, system: str, flavors: dict) -> None:
        """The Outpost sent its current usage: fresh data, and user entries get their counts from it."""
        self._hub[system] = FlavorReport(dict(flavors), source="push", at=self.clock())

    def clear(self) -> None:
        self._hub.clear()
        self._user.clear()
        self._profiles.clear()


def _reason(error: Exception) -> str:
    from .systems import SystemsConfigError

    if isinstance(error, SystemsConfigError):  # e.g. the password file went away: names the key
        return str(error)[:300]
    status = getattr(error, "outpost_status", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if status in (401, 403):
        return f"the Outpost refused this hub's credentials ({status})"
    if status:
        return f"the Outpost answered {status}: {message}"[:300]
    return f"the Outpost does not answer ({message})"[:300]


def with_hub_usage(user_flavors: dict, hub_flavors: dict | None) -> dict:
    """A user's flavors, each with the hub-wide ``current`` where the hub-level list has it."""
    out = {}
    for name, flavor in user_flavors.items():
        flavor = dict(flavor) if isinstance(flavor, dict) else {}
        if hub_flavors and isinstance(hub_flavors.get(name), dict) and "current" in hub_flavors[name]:
            flavor["current"] = hub_flavors[name]["current"]
        out[name] = flavor
    return out


FLAVOR_CACHE = FlavorCache()
