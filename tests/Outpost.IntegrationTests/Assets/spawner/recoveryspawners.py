"""Spawner classes for the recovery tests."""

import asyncio
import os

from jupyterhub.spawner import SimpleLocalProcessSpawner
from jupyterhub.spawner import Spawner
from traitlets import Float
from traitlets import Unicode


class SettlingSpawner(SimpleLocalProcessSpawner):
    """Its start returns `settle` seconds after the process runs: the window where a killed host
    or Outpost could leave a server nobody knows, which the tests kill into."""

    settle = Float(1.5, config=True)

    async def start(self):
        address = await super().start()
        await asyncio.sleep(self.settle)
        return address


class FileJobSpawner(Spawner):
    """A stand-in for a batch system shared by every replica: a job is a file in $SPAWNERHOST_TEST_DIR.

    Its state names the job, so any host on any replica can poll or stop it (a local process
    can only be watched by the replica whose host started it).
    """

    job = Unicode("")

    def _path(self):
        return os.path.join(os.environ["SPAWNERHOST_TEST_DIR"], self.job)

    async def start(self):
        self.job = f"job-{self.user.name}-{self.start_id}"
        with open(self._path(), "w") as f:
            f.write("running\n")
        return ("127.0.0.1", 4567)

    async def poll(self):
        return None if self.job and os.path.exists(self._path()) else 0

    async def stop(self, now=False):
        if self.job and os.path.exists(self._path()):
            os.remove(self._path())

    def get_state(self):
        state = super().get_state()
        if self.job:
            state["job"] = self.job
        return state

    def load_state(self, state):
        super().load_state(state)
        self.job = state.get("job", "")

    def clear_state(self):
        super().clear_state()
        self.job = ""
