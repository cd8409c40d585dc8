"""The hub-side ports of this hub's forwards.

``random_port()`` asks the kernel for a free port and closes it again, so two spawns starting at the same
moment can be handed the same port: the second ``ssh -O forward`` then fails to bind it and that spawn fails
(with 200 spawns at once, about one in a run). Ports given to a running or starting server of this hub are
remembered here and never handed out twice; a server's port is let go when its teardown is done.

A port is picked below the kernel's ephemeral range (:func:`pick_port`): a port from that range can be taken,
between the pick and the master's bind (a minute under load, while the Outpost starts the server), as the
local end of any outgoing connection on the hub's host; with many servers and their connections that failed
a few spawns in a hundred (``Port forwarding failed``).
"""
from __future__ import annotations

import random
import socket
import weakref

from jupyterhub.utils import random_port

LOWEST_PORT = 10000  # below: well-known services (a hub's 8000/8081, databases) more often listen there


def ephemeral_range(path: str = "/proc/sys/net/ipv4/ip_local_port_range") -> tuple[int, int]:
    try:
        with open(path) as f:
            low, high = f.read().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def bindable(port: int) -> bool:
    """Nothing on this host holds ``port`` (on any address)."""
    with socket.socket() as s:
        try:
            s.bind(("", port))
            return True
        except OSError:
            return False


def pick_port(ephemeral=ephemeral_range, is_free=bindable, randint=random.randint) -> int:
    """A free port between ``LOWEST_PORT`` and the start of the ephemeral range; the kernel's pick if there is
    no room below the range (or nothing free is found there)."""
    low, _ = ephemeral()
    if low - 1 > LOWEST_PORT:
        for _ in range(100):
            port = randint(LOWEST_PORT, low - 1)
            if is_free(port):
                return port
    return random_port()


class HubPorts:
    def __init__(self, pick=pick_port):
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
