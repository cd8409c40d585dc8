"""SimpleLocalProcessSpawner whose start returns `settle` seconds after the process runs.

The window between "a process exists" and "the start answered" is where a killed host
or Outpost could leave a server nobody knows: the recovery tests kill into it.
"""

import asyncio

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Float


class SettlingSpawner(SimpleLocalProcessSpawner):
    settle = Float(1.5, config=True)

    async def start(self):
        address = await super().start()
        await asyncio.sleep(self.settle)
        return address
