"""Forwards that heal themselves.

:class:`ForwardHealer` checks the default ssh forward of one server (the ControlMaster answers
``-O check`` and the hub-side port accepts a connection) and re-creates it when it is broken,
with capped exponential backoff. Each incident is logged twice at most (broken, then restored or
given up), never once per attempt, and counted in ``outpostspawner_forward_events_total``.

:data:`WATCHER` is the one asyncio task per hub process that checks every watched forward
between polls (``ssh_forward_check_interval``); ``poll()`` checks its own server too, unless that check found
it working within the last 1.5 intervals (an open incident is always checked on poll).

With ``tunnel_service_url`` the check and the repair are requests to the tunnel service (``GET``, then the
same ``PUT`` again); the service runs ssh, the hub never does. Forwards made by an ``ssh_custom_forward`` hook
are not healed here: the hook's owner keeps them; ``/recreateforward`` still calls the hooks again.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass

from prometheus_client import REGISTRY, Counter

from .forward import ServerForward
from .listeners import LISTENERS

log = logging.getLogger("outpostspawner.healing")

# poll() returns this exit status for a server whose forward stayed broken past the give-up time
FORWARD_LOST_STATUS = 1


def _counter(name: str, documentation: str, labels: tuple) -> Counter:
    """The counter ``name``, registered once per process (a reloaded module finds the first one)."""
    try:
        return Counter(name, documentation, labels)
    except ValueError:  # already registered (importlib.reload, a second copy of the package)
        existing = REGISTRY._names_to_collectors.get(name) or \
            REGISTRY._names_to_collectors.get(f"{name}_total")
        if existing is None:
            raise
        return existing


FORWARD_EVENTS = _counter(
    "outpostspawner_forward_events",
    "ssh forward incidents: broken, restored, attempt_failed, given_up",
    ("event",),
)


@dataclass
class ForwardHealth:
    """The current incident of one forward (empty while the forward is fine)."""

    broken_since: float | None = None
    reason: str = ""
    attempts: int = 0
    next_attempt: float = 0.0
    given_up: bool = False
    working_at: float | None = None  # when a check last found the forward working

    def reset(self) -> None:
        self.broken_since, self.reason, self.attempts = None, "", 0
        self.next_attempt, self.given_up = 0.0, False


class ForwardHealer:
    """Checks and heals the default forward of one spawner. Verdicts: ``"ok"``, ``"skipped"``,
    ``"broken"`` (still healing), ``"restored"``, ``"given_up"``."""

    clock = staticmethod(time.monotonic)

    def __init__(self, spawner):
        self.spawner = spawner

    @property
    def health(self) -> ForwardHealth:
        sp = self.spawner
        if getattr(sp, "_forward_health", None) is None:
            sp._forward_health = ForwardHealth()
        return sp._forward_health

    def applies(self) -> bool:
        """A running server with a default (not custom) forward of ours."""
        sp = self.spawner
        return bool(sp.ssh_forward_heal and not sp.ssh_custom_forward and sp.forward.record
                    and sp.port_forward_info.get("service") and sp._remote_active
                    and not sp._starting and not sp.lock.locked()
                    and not getattr(sp, "_stop_pending", False))

    async def heal(self, wait: bool = True) -> str:
        """Check the forward and repair it if due. ``wait=False`` (the periodic check) skips a
        forward another check is already working on."""
        if not self.applies():
            return "skipped"
        lock = self.spawner.forward_heal_lock
        if lock.locked() and not wait:
            return "skipped"
        async with lock:
            if not self.applies():
                return "skipped"
            return await self._heal()

    def checked_recently(self) -> bool:
        """The periodic check found the forward working within 1.5 check intervals (and no incident is open), so a
        poll need not check it again: with 1,000 servers, one check per poll besides the periodic one was an
        ``ssh -O check`` a second and a connection through the master per poll."""
        sp, health = self.spawner, self.health
        interval = sp.ssh_forward_check_interval
        return bool(interval > 0 and health.broken_since is None and health.working_at is not None
                    and self.clock() - health.working_at <= 1.5 * interval)

    def seen_working(self) -> bool:
        """The periodic check's shortcut: no incident is open, nobody is checking it now, and the forward is known to
        work without I/O (see ``ServerForward.seen_working``); then it counts as checked. Otherwise :meth:`heal`."""
        sp, health = self.spawner, self.health
        if health.broken_since is not None or sp.forward_heal_lock.locked() or not self.applies():
            return False
        if not sp.forward.seen_working():
            return False
        health.working_at = self.clock()
        return True

    async def _heal(self) -> str:
        sp, health = self.spawner, self.health
        reason = await sp.forward.diagnose()
        if reason is None:
            health.working_at = self.clock()
            return self._restored() if health.broken_since is not None else "ok"
        health.working_at = None
        now = self.clock()
        if health.broken_since is None:
            health.broken_since, health.reason, health.next_attempt = now, reason, now
            FORWARD_EVENTS.labels("broken").inc()
            sp.log.warning("ssh forward broken: %s (%s); re-creating it", sp._log_name, reason)
        if now >= health.next_attempt:
            health.attempts += 1
            try:
                await sp.forward.create(sp.port_forward_info)
                reason = await sp.forward.diagnose()
            except Exception as e:  # an ssh error: keep the incident open and try again later
                reason = str(e) or type(e).__name__
            if reason is None:
                health.working_at = self.clock()
                return self._restored()
            FORWARD_EVENTS.labels("attempt_failed").inc()
            health.reason = reason
            delay = min(sp.ssh_forward_heal_backoff_max,
                        sp.ssh_forward_heal_backoff_initial * 2 ** (health.attempts - 1))
            health.next_attempt = self.clock() + delay
            sp.log.debug("heal attempt %d of %s failed (%s); next in %.1fs",
                         health.attempts, sp._log_name, reason, delay)
        give_up = sp.ssh_forward_heal_give_up
        if give_up > 0 and self.clock() - health.broken_since >= give_up:
            if not health.given_up:
                health.given_up = True
                FORWARD_EVENTS.labels("given_up").inc()
                sp.log.error("ssh forward lost: %s unreachable for %.0fs (%s); reporting the server "
                             "as stopped", sp._log_name, self.clock() - health.broken_since, health.reason)
            return "given_up"
        return "broken"

    def _restored(self) -> str:
        sp, health = self.spawner, self.health
        FORWARD_EVENTS.labels("restored").inc()
        sp.log.warning("ssh forward restored: %s after %.1fs (%d attempt%s)", sp._log_name,
                       self.clock() - health.broken_since, health.attempts,
                       "" if health.attempts == 1 else "s")
        health.reset()
        return "restored"


class ForwardWatcher:
    """One asyncio task per hub process that heals every watched forward between polls."""

    def __init__(self):
        # each watched spawner with its ssh_forward_check_interval, read when it is watched (a server's lifetime)
        self._spawners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._task: asyncio.Task | None = None

    def watch(self, spawner) -> None:
        interval = spawner.ssh_forward_check_interval
        self._spawners[spawner] = interval
        if interval <= 0:
            return
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run())

    def unwatch(self, spawner) -> None:
        self._spawners.pop(spawner, None)

    def _interval(self) -> float:
        return min([i for i in list(self._spawners.values()) if i > 0] or [10.0])

    async def check_all(self) -> None:
        LISTENERS.sweeping = True  # one read of the listening sockets serves many forwards (see .listeners)
        try:
            now = ForwardHealer.clock()
            for sp, interval in list(self._spawners.items()):
                if interval <= 0:
                    continue
                try:
                    if self._still_working(sp, now):
                        continue
                    healer = ForwardHealer(sp)
                    if not healer.seen_working():
                        await healer.heal(wait=False)
                except Exception:
                    log.exception("Checking the ssh forward of %s failed", sp._log_name)
        finally:
            LISTENERS.sweeping = False

    @staticmethod
    def _still_working(sp, now: float) -> bool:
        """The sweep's cheapest answer: the forward record a check last found working is still the spawner's, no
        incident is open, its master answered ``-O check`` within the shared second and its port is in the listening
        table. Then it works now, whatever else the spawner is doing, so it counts as checked; nothing else is read (a
        thousand forwards every few seconds made each trait read count). Anything else takes the full path."""
        health, seen = sp._forward_health, getattr(sp, "_forward_seen", None)
        if health is None or seen is None or health.broken_since is not None or health.working_at is None:
            return False
        if sp._tunnels.get(ServerForward.RECORD) is not seen[0] or seen[4] is not sp.ssh_runner:
            return False
        if not (seen[1]() and LISTENERS.listening(seen[2], seen[3])):
            return False
        health.working_at = now
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval())
            await self.check_all()


WATCHER = ForwardWatcher()
