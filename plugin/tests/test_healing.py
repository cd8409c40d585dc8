"""Forwards that heal themselves: backoff, one log line per incident, give-up time, metrics.

The ssh seam is a fake that behaves like an OpenSSH ControlMaster: ``-O forward`` opens a real
listening socket on the hub-side port, killing the master closes it, ``-O check`` answers by
whether the master lives.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from prometheus_client import REGISTRY
from traitlets import TraitError

from outpostspawner import healing
from outpostspawner.healing import FORWARD_LOST_STATUS, ForwardHealer


class FakeMaster:
    """An ssh runner standing in for OpenSSH: one ControlMaster with its -L listeners."""

    def __init__(self):
        self.ssh_command = "ssh"
        self.alive = False
        self.reachable = True  # False: starting a master fails (the ssh node is down)
        self.listeners: dict[int, socket.socket] = {}
        self.ops: list[str] = []

    async def run(self, argv, timeout=10, capture=True):
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
        op = "-O " + argv[argv.index("-O") + 1] if "-O" in argv else "connect"
        self.ops.append(op)
        if op == "-O check":
            return (0 if self.alive else 255), "", ""
        if op == "connect":
            self.alive = self.reachable
            return (0 if self.alive else 255), "", ""
        if not self.alive:
            return 255, "", "Control socket connect: No such file or directory"
        port = int(argv[argv.index("-L") + 1].rsplit(":", 3)[1])
        if op == "-O forward" and port not in self.listeners:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen()
            self.listeners[port] = s
        elif op == "-O cancel" and port in self.listeners:
            self.listeners.pop(port).close()
        return 0, "", ""

    def kill(self):
        self.alive = False
        for s in self.listeners.values():
            s.close()
        self.listeners.clear()

    def attempts(self) -> int:
        return self.ops.count("connect")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def master():
    fake = FakeMaster()
    yield fake
    fake.kill()


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(ForwardHealer, "clock", staticmethod(c))
    return c


def count(event: str) -> float:
    return REGISTRY.get_sample_value("outpostspawner_forward_events_total", {"event": event}) or 0.0


def lines(caplog, marker: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if marker in r.getMessage()]


async def running(make_spawner, master, name="h", **traits):
    traits.setdefault("ssh_forward_check_interval", 0)
    sp = make_spawner(name, ssh_during_startup=True, ssh_key="/k/id", **traits)
    sp.ssh_runner = master
    await sp.start()
    assert sp.port in master.listeners
    return sp


async def test_a_killed_master_is_restored_logged_once_and_counted(make_spawner, master, clock, caplog):
    caplog.set_level(logging.DEBUG)
    sp = await running(make_spawner, master)
    before = {e: count(e) for e in ("broken", "restored")}
    assert await ForwardHealer(sp).heal() == "ok"
    master.kill()
    clock.now += 1
    assert await ForwardHealer(sp).heal() == "restored"
    assert sp.port in master.listeners and master.alive
    assert await ForwardHealer(sp).heal() == "ok"
    broken, restored = lines(caplog, "ssh forward broken"), lines(caplog, "ssh forward restored")
    assert len(broken) == 1 and len(restored) == 1
    assert "alice:h" in broken[0] and "does not answer -O check" in broken[0]
    assert "1 attempt)" in restored[0]
    assert count("broken") == before["broken"] + 1 and count("restored") == before["restored"] + 1


async def test_a_missing_forward_on_a_live_master_is_forwarded_again(make_spawner, master, clock, caplog):
    sp = await running(make_spawner, master)
    master.listeners.pop(sp.port).close()  # the forward went away, the master did not
    assert await ForwardHealer(sp).heal() == "restored"
    assert "connect" not in master.ops[-3:] and sp.port in master.listeners
    assert "does not accept connections" in lines(caplog, "ssh forward broken")[0]


async def test_backoff_doubles_up_to_the_cap_with_one_log_line(make_spawner, master, clock, caplog):
    caplog.set_level(logging.DEBUG)
    sp = await running(make_spawner, master, ssh_forward_heal_backoff_initial=1,
                       ssh_forward_heal_backoff_max=4, ssh_forward_heal_give_up=0)
    failed_before = count("attempt_failed")
    master.kill()
    master.reachable = False
    healer = ForwardHealer(sp)
    attempts_at = []
    start = clock.now
    for step in range(24):  # 12 s in half-second steps
        clock.now = start + step * 0.5
        before = master.attempts()
        assert await healer.heal() == "broken"
        if master.attempts() > before:
            attempts_at.append(clock.now - start)
    # waits 1, 2, 4, then capped at 4
    assert attempts_at == [0, 1, 3, 7, 11]
    assert count("attempt_failed") == failed_before + 5
    assert len(lines(caplog, "ssh forward broken")) == 1
    assert len(lines(caplog, "heal attempt")) == 5  # per attempt only at debug level
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "heal attempt" in r.getMessage())
    master.reachable = True
    clock.now = start + 15
    assert await healer.heal() == "restored"
    assert "after 15.0s (6 attempts)" in lines(caplog, "ssh forward restored")[0]


async def test_poll_reports_a_lost_forward_as_stopped_after_the_give_up_time(make_spawner, outpost, master,
                                                                              clock, caplog):
    sp = await running(make_spawner, master, ssh_forward_heal_give_up=30,
                       ssh_forward_heal_backoff_initial=5, ssh_forward_heal_backoff_max=10)
    given_up = count("given_up")
    master.kill()
    master.reachable = False
    start = clock.now
    for t in (0, 10, 29):
        clock.now = start + t
        assert await sp.poll() is None, f"still running at {t}s"
    assert not outpost.of("DELETE")
    clock.now = start + 30
    assert await sp.poll() == FORWARD_LOST_STATUS
    assert outpost.of("DELETE"), "the server is stopped on the Outpost"
    lost = lines(caplog, "ssh forward lost")
    assert len(lost) == 1 and "alice:h" in lost[0] and "unreachable for 30s" in lost[0]
    assert "could not open an ssh connection" in lost[0]
    assert count("given_up") == given_up + 1
    assert sp.events[-1]["failed"] and "could not be restored" in sp.events[-1]["message"]
    assert await sp.poll() == FORWARD_LOST_STATUS  # stays stopped


async def test_give_up_zero_keeps_healing(make_spawner, master, clock):
    sp = await running(make_spawner, master, ssh_forward_heal_give_up=0)
    master.kill()
    master.reachable = False
    clock.now += 10_000
    assert await sp.poll() is None


async def test_a_custom_forward_hook_is_not_healed(make_spawner, master):
    sp = make_spawner("c", ssh_during_startup=True, ssh_custom_forward=lambda s, info: ("127.0.0.1", 1))
    sp.ssh_runner = master
    await sp.start()
    assert not ForwardHealer(sp).applies()
    assert await sp.poll() is None
    assert master.ops == []


async def test_healing_off_leaves_a_dead_forward_alone(make_spawner, master):
    sp = await running(make_spawner, master, ssh_forward_heal=False)
    master.kill()
    ops = len(master.ops)
    assert await sp.poll() is None
    assert master.ops[ops:] == [] and sp.port not in master.listeners


async def test_the_watcher_heals_between_polls(make_spawner, master, stop_forward_watcher, caplog):
    sp = await running(make_spawner, master, ssh_forward_check_interval=0.1)
    assert sp in set(stop_forward_watcher._spawners)
    master.kill()
    deadline = time.monotonic() + 10
    while not lines(caplog, "ssh forward restored"):
        assert time.monotonic() < deadline, "the watcher did not re-create the forward"
        await asyncio.sleep(0.05)
    assert sp.port in master.listeners
    assert len(lines(caplog, "ssh forward restored")) == 1
    await sp.stop()
    assert sp not in set(stop_forward_watcher._spawners)


async def test_a_stopped_server_leaves_the_watcher(make_spawner, master, stop_forward_watcher):
    sp = await running(make_spawner, master, ssh_forward_check_interval=5)
    assert sp in set(stop_forward_watcher._spawners)
    await sp.stop()
    assert sp not in set(stop_forward_watcher._spawners)
    assert not ForwardHealer(sp).applies()


@pytest.mark.parametrize("name,value", [
    ("ssh_forward_check_interval", -1), ("ssh_forward_heal_give_up", float("inf")),
    ("ssh_forward_heal_backoff_initial", 0), ("ssh_forward_heal_backoff_max", float("nan")),
])
def test_heal_options_are_validated(make_spawner, name, value):
    with pytest.raises(TraitError, match=name):
        make_spawner("v", **{name: value})


def test_the_counter_is_registered_once_per_process():
    again = healing._counter("outpostspawner_forward_events", "x", ("event",))
    assert again is healing.FORWARD_EVENTS


async def test_stop_waits_for_a_heal_in_flight_and_leaves_no_forward(make_spawner, master):
    sp = await running(make_spawner, master)
    gate = asyncio.Event()
    run = master.run

    async def slow_connect(argv, timeout=10, capture=True):
        if "-O" not in argv:
            await gate.wait()  # the ssh connect of the heal is under way
        return await run(argv, timeout, capture)

    master.run = slow_connect
    master.kill()
    heal = asyncio.ensure_future(ForwardHealer(sp).heal())
    while "connect" not in master.ops and not gate.is_set():
        await asyncio.sleep(0.01)
        if master.ops.count("-O check") >= 2:
            break
    stop = asyncio.ensure_future(sp.stop())
    # Either stop ends (wrong) or it queues behind the heal on the forward lock (asyncio.Lock keeps its queue in _waiters).
    deadline = asyncio.get_running_loop().time() + 10
    while not stop.done() and not sp.forward_heal_lock._waiters:
        assert asyncio.get_running_loop().time() < deadline, "stop neither ended nor waited for the lock"
        await asyncio.sleep(0.01)
    assert not stop.done(), "stop waits for the heal in flight"
    gate.set()
    await asyncio.wait_for(asyncio.gather(heal, stop), 10)
    assert sp.port not in master.listeners and "local" not in sp.tunnels
    assert await ForwardHealer(sp).heal() == "skipped"


async def test_interval_zero_checks_only_on_poll(make_spawner, master, stop_forward_watcher):
    sp = await running(make_spawner, master, ssh_forward_check_interval=0)
    assert stop_forward_watcher._task is None, "no periodic task when the interval is 0"
    master.kill()
    assert await sp.poll() is None and sp.port in master.listeners  # the poll healed it


async def test_a_poll_leaves_a_forward_the_periodic_check_just_found_working(make_spawner, outpost, master, clock,
                                                                             stop_forward_watcher):
    sp = await running(make_spawner, master, ssh_forward_check_interval=10)
    assert await ForwardHealer(sp).heal(wait=False) == "ok"  # what the periodic check does
    ops = len(master.ops)
    clock.now += 15  # 1.5 intervals: still fresh
    assert await sp.poll() is None
    assert master.ops[ops:] == [], "no ssh -O check on this poll"
    clock.now += 0.5
    assert await sp.poll() is None
    assert master.ops[ops:] == ["-O check"], "an older check is done again by the poll"


async def test_a_poll_checks_a_forward_with_an_open_incident(make_spawner, outpost, master, clock,
                                                             stop_forward_watcher):
    sp = await running(make_spawner, master, ssh_forward_check_interval=10, ssh_forward_heal_backoff_initial=1)
    assert await ForwardHealer(sp).heal(wait=False) == "ok"
    master.kill()
    master.reachable = False
    assert await ForwardHealer(sp).heal(wait=False) == "broken"  # the periodic check found it broken
    master.reachable = True
    clock.now += 1
    assert await sp.poll() is None
    assert sp.port in master.listeners, "the poll healed it at once, although the last check was just now"
    assert not ForwardHealer(sp).health.broken_since


async def test_the_periodic_check_takes_forwards_seen_working_without_an_ssh_run_each(make_spawner, master, clock,
                                                                                      stop_forward_watcher, monkeypatch):
    from outpostspawner.listeners import LISTENERS
    from outpostspawner.ssh import MasterChecks
    monkeypatch.setattr(LISTENERS, "ttl", 0.0)  # the listening table read anew on every question
    checks_clock = Clock()
    master.master_checks = MasterChecks(ttl=1.0, clock=checks_clock)  # shared -O check, as SshRunner has
    spawners = [await running(make_spawner, master, name=f"s{i}", ssh_forward_check_interval=5) for i in range(3)]
    assert set(stop_forward_watcher._spawners) == set(spawners)
    ops = len(master.ops)
    await stop_forward_watcher.check_all()
    assert master.ops[ops:] == [], "the starts' -O checks are a moment old: no ssh run, no connection"
    assert all(ForwardHealer(sp).health.working_at == clock.now for sp in spawners)
    checks_clock.now += 1.5
    await stop_forward_watcher.check_all()
    assert master.ops[ops:] == ["-O check"], "one -O check for the three forwards behind one master"
    assert all(ForwardHealer(sp).health.working_at == clock.now for sp in spawners)

    # a forward gone on a live master: its port is not listening, so the shortcut does not count it
    master.listeners.pop(spawners[1].port).close()
    ops = len(master.ops)
    await stop_forward_watcher.check_all()
    assert spawners[1].port in master.listeners, "the sweep made the missing forward again"
    assert "-O forward" in master.ops[ops:]

    # the master killed: its last answer is older than the shared check's second, so every forward is checked
    master.kill()
    checks_clock.now += 1.5
    await stop_forward_watcher.check_all()
    assert master.alive and all(sp.port in master.listeners for sp in spawners)
    assert not any(ForwardHealer(sp).health.broken_since for sp in spawners)


async def test_the_periodic_check_leaves_a_forward_being_checked_to_that_check(make_spawner, master, clock,
                                                                               stop_forward_watcher):
    from outpostspawner.ssh import MasterChecks
    master.master_checks = MasterChecks(ttl=1.0, clock=Clock())
    sp = await running(make_spawner, master, ssh_forward_check_interval=5)
    await stop_forward_watcher.check_all()
    async with sp.forward_heal_lock:  # a poll is checking it right now
        assert not ForwardHealer(sp).seen_working()


async def test_a_sweep_reads_nothing_of_a_forward_it_found_working_before(make_spawner, master, clock,
                                                                         stop_forward_watcher, monkeypatch):
    from outpostspawner.listeners import LISTENERS
    from outpostspawner.ssh import MasterChecks
    monkeypatch.setattr(LISTENERS, "ttl", 0.0)
    master.master_checks = MasterChecks(ttl=1.0, clock=Clock())
    spawners = [await running(make_spawner, master, name=f"r{i}", ssh_forward_check_interval=5) for i in range(2)]
    await stop_forward_watcher.check_all()  # the full path once: found working
    full_checks = []
    original = ForwardHealer.applies
    monkeypatch.setattr(ForwardHealer, "applies", lambda self: full_checks.append(self.spawner) or original(self))

    clock.now += 5
    await stop_forward_watcher.check_all()
    assert full_checks == [], "a forward found working before, with the same record, master and port: no full check"
    assert all(ForwardHealer(sp).health.working_at == clock.now for sp in spawners)

    master.listeners.pop(spawners[0].port).close()  # its port no longer listens
    await stop_forward_watcher.check_all()
    assert spawners[0] in full_checks and spawners[1] not in full_checks
    assert spawners[0].port in master.listeners, "the full path made it again"

    full_checks.clear()
    await stop_forward_watcher.check_all()
    assert spawners[0] in full_checks, "a forward made again (a new record) is confirmed by the full path first"
    full_checks.clear()
    await stop_forward_watcher.check_all()
    assert full_checks == []
