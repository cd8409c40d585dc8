"""Spawner classes for the tests; the config files in configs/ import this module.

Each writes what happened to it into $SPAWNERHOST_TEST_DIR/<server name>.<event>
so a test can see that, say, stop() was called after a cancelled start.
"""

import asyncio
import os
import subprocess
import sys
import time

from jupyterhub.spawner import Spawner
from traitlets import Float
from traitlets import Integer
from traitlets import Unicode


def mark(spawner, event, text=""):
    path = os.path.join(os.environ["SPAWNERHOST_TEST_DIR"], f"{spawner.name}.{event}")
    with open(path, "a") as f:
        f.write(text + "\n")


def job_file(job_id):
    """The test's stand-in for a batch system's queue: a job exists while its file does."""
    return os.path.join(os.environ["SPAWNERHOST_TEST_DIR"], f"{job_id}.job")


class RecordingSpawner(Spawner):
    """Starts nothing; 'running' between start and stop."""

    running = False

    async def start(self):
        self.running = True
        mark(self, "started")
        return ("127.0.0.1", self.port or 4567)

    async def poll(self):
        return None if self.running else 0

    async def stop(self, now=False):
        self.running = False
        mark(self, "stopped", f"now={now}")

    async def move_certs(self, paths):
        mark(self, "moved", paths["keyfile"])
        return paths


class ProgressSpawner(RecordingSpawner):
    """Yields three progress events; start() returns only after all three were taken."""

    async def start(self):
        self._progress_taken = getattr(self, "_progress_taken", None) or asyncio.Event()
        await asyncio.wait_for(self._progress_taken.wait(), 10)
        return await super().start()

    async def progress(self):
        self._progress_taken = getattr(self, "_progress_taken", None) or asyncio.Event()
        for i, text in enumerate(["queued", "scheduled", "booting"], start=1):
            yield {"progress": 30 * i, "message": text, "html_message": f"<b>{text}</b>"}
        self._progress_taken.set()


class StateSpawner(RecordingSpawner):
    """Keeps a job id and a poll counter in its state.

    The job lives outside the spawner (a file, see job_file), as a batch job does: a spawner
    rebuilt from stored state finds it, and one rebuilt after stop() finds it gone.
    """

    job_id = Unicode("")
    polls = Integer(0)

    def submit(self):
        self.job_id = f"job-{self.name}-{self.start_id}"
        open(job_file(self.job_id), "w").close()

    async def start(self):
        self.submit()
        return await super().start()

    async def poll(self):
        self.polls += 1
        return None if self.job_id and os.path.exists(job_file(self.job_id)) else 0

    def get_state(self):
        state = super().get_state()
        if self.job_id:
            state["job_id"] = self.job_id
            state["polls"] = self.polls
        return state

    def load_state(self, state):
        super().load_state(state)
        self.job_id = state.get("job_id", "")
        self.polls = state.get("polls", 0)

    def clear_state(self):
        super().clear_state()
        self.job_id = ""
        self.polls = 0

    async def stop(self, now=False):
        mark(self, "stopped", self.job_id)
        if self.job_id and os.path.exists(job_file(self.job_id)):
            os.remove(job_file(self.job_id))
        self.job_id = ""


class UnstoppableSpawner(StateSpawner):
    """stop() is called and returns, but the job keeps running (and the job id stays)."""

    async def stop(self, now=False):
        mark(self, "stopped", f"{self.job_id} now={now}")


class BlockingSpawner(RecordingSpawner):
    """poll() blocks the event loop (time.sleep instead of await): a bug the host cannot survive alone.
    Its start awaits `delay` seconds first: slow, but the loop stays free."""

    delay = Float(0.0, config=True)

    async def start(self):
        await asyncio.sleep(self.delay)
        return await super().start()

    async def poll(self):
        if self.running:
            mark(self, "blocking")
            time.sleep(30)
        return await super().poll()


class SlowSpawner(RecordingSpawner):
    """start() takes `delay` seconds (set it through misc)."""

    delay = Float(30.0, config=True)

    async def start(self):
        mark(self, "starting")
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            mark(self, "cancelled")
            raise
        return await super().start()


class QueuedJobSpawner(StateSpawner):
    """Submits its 'job' at once, then waits `delay` seconds for it to run (as a batch spawner does)."""

    delay = Float(30.0, config=True)

    async def start(self):
        self.submit()
        mark(self, "submitted", self.job_id)
        await asyncio.sleep(self.delay)
        return await RecordingSpawner.start(self)


class FailingSpawner(RecordingSpawner):
    async def start(self):
        raise RuntimeError(f"the batch system refused {self.name}: quota exceeded")


class StubbornSpawner(RecordingSpawner):
    """stop() takes a while and leaves the 'server' running."""

    async def stop(self, now=False):
        await asyncio.sleep(1.0)
        mark(self, "stopped", "but still running")


class PrintingSpawner(RecordingSpawner):
    """Writes to stdout from Python and from a child process."""

    async def start(self):
        print("a spawner printing to stdout")
        sys.stdout.write("{not json\n")
        sys.stdout.flush()
        subprocess.run(["echo", "a child process writing to fd 1"], check=True)
        os.write(1, b"raw bytes on fd 1\n")
        return await super().start()

    def get_jupyter_server_logs(self):
        return "line 1\nline 2\nline 3"
