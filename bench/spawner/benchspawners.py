"""The spawner of bench/spawner: it starts nothing, so a call through the bridge costs only the bridge.

``NoopSpawner`` keeps its "server" in a module-level set, the way a real spawner's server lives
outside the spawner (a process, a pod, a batch job): the state names it (``token``), so a spawner
rebuilt from stored state finds it, and after ``stop()`` a rebuilt spawner's ``poll()`` sees it gone.

Each ``start``/``poll``/``stop`` measures its own time. They are kept in memory and written as JSON
to $OUTPOST_BENCH_OWN_TIME when the process gets SIGUSR1 (installed on import), so nothing is
written while the bench times the calls.
"""

import itertools
import json
import os
import signal
import time

from jupyterhub.spawner import Spawner
from traitlets import Unicode

RUNNING = set()  # tokens of the servers that "run"
OWN_TIME = {"start": [], "poll": [], "stop": []}  # seconds per call, in call order
_tokens = itertools.count(1)


class NoopSpawner(Spawner):
    """start() returns at once, poll() says running until stop(); no process, no I/O."""

    token = Unicode("")

    async def start(self):
        began = time.perf_counter()
        number = next(_tokens)
        self.token = f"{os.getpid()}-{number}"
        RUNNING.add(self.token)
        address = ("127.0.0.1", 20000 + number % 40000)
        OWN_TIME["start"].append(time.perf_counter() - began)
        return address

    async def poll(self):
        began = time.perf_counter()
        status = None if self.token in RUNNING else 0
        OWN_TIME["poll"].append(time.perf_counter() - began)
        return status

    async def stop(self, now=False):
        began = time.perf_counter()
        RUNNING.discard(self.token)
        OWN_TIME["stop"].append(time.perf_counter() - began)

    def get_state(self):
        state = super().get_state()
        if self.token:
            state["token"] = self.token
        return state

    def load_state(self, state):
        super().load_state(state)
        self.token = state.get("token", "")

    def clear_state(self):
        super().clear_state()
        self.token = ""


class MarkerSpawner(Spawner):
    """P11's spawner (bench/Outpost.Bench/Backends): like NoopSpawner, but its "server" is an empty file in
    $OUTPOST_BENCH_MARKERS, so it outlives the spawner host and an Outpost restart (P5) finds it running."""

    token = Unicode("")

    def _marker(self):
        return os.path.join(os.environ["OUTPOST_BENCH_MARKERS"], self.token)

    async def start(self):
        number = next(_tokens)
        self.token = f"{os.getpid()}-{number}"
        with open(self._marker(), "x"):
            pass
        return ("127.0.0.1", 20000 + number % 40000)

    async def poll(self):
        return None if self.token and os.path.exists(self._marker()) else 0

    async def stop(self, now=False):
        if self.token:
            try:
                os.unlink(self._marker())
            except FileNotFoundError:
                pass

    def get_state(self):
        state = super().get_state()
        if self.token:
            state["token"] = self.token
        return state

    def load_state(self, state):
        super().load_state(state)
        self.token = state.get("token", "")

    def clear_state(self):
        super().clear_state()
        self.token = ""


def dump_own_time(path=None):
    """Writes OWN_TIME (and how many servers run) to `path` or $OUTPOST_BENCH_OWN_TIME."""
    path = path or os.environ.get("OUTPOST_BENCH_OWN_TIME")
    if not path:
        return
    with open(path + ".tmp", "w") as f:
        json.dump({"pid": os.getpid(), "running": len(RUNNING), "own_time": OWN_TIME}, f)
    os.replace(path + ".tmp", path)


if os.environ.get("OUTPOST_BENCH_OWN_TIME"):
    signal.signal(signal.SIGUSR1, lambda *_: dump_own_time())
