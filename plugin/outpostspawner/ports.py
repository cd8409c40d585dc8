"""The hub-side ports of this hub's forwards.

``random_port()`` asks the kernel for a free port and closes it again, so two spawns starting at the same
moment can be handed the same port: the second ``ssh -O forward`` then fails to bind it and that spawn fails
(with 200 spawns at once, about one in a run). Ports given to a running or starting server of this hub are
remembered here and never handed out twice; a server's port is let go when its teardown is done.
"""
from __future__ import annotations

import weakref

from jupyterhub.utils import random_port


class HubPorts:
    def __init__(self, pick=random_port):
        self._pick = pick
        self._by_spawner: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def in_use(self) -> set[int]:
        return set(self._by_spawner.values())

    def reserve(self, spawner) -> int:
        """A free port that no other server of this hub holds, held for ``spawner``."""
        taken = self.in_use() - {self._by_spawner.get(spawner)}
        for _ in range(200):
            port = self._pick()
            if port not in taken:
                self._by_spawner[spawner] = port
                return port
        raise RuntimeError("no free hub-side port that another server does not hold")

    def hold(self, spawner, port: int) -> None:
        """A restored server keeps the port it had."""
        self._by_spawner[spawner] = int(port)

    def release(self, spawner) -> None:
        self._by_spawner.pop(spawner, None)


HUB_PORTS = HubPorts()
