"""Which TCP ports listen on this host, read once for many forward checks.

The forward check asks whether each forward's hub-side port accepts connections. With many servers, one
connection per forward every ``ssh_forward_check_interval`` was a large part of the hub's idle CPU. During
the periodic sweep over all forwards (``sweeping``), the kernel's table of listening sockets
(``/proc/net/tcp``, ``/proc/net/tcp6``, in the hub's own network namespace, where the ssh master listens)
answers that question for every forward at once; it is read at most once per ``ttl`` seconds, so an
answer is at most that old. Only a "listening" answer is taken from it: a port missing from the table is
still tried with a real connection. Outside a sweep (a poll checking its own server) nothing changes.
"""
from __future__ import annotations

import functools
import ipaddress
import time
from pathlib import Path

_LISTEN = "0A"
_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


@functools.lru_cache(maxsize=1024)
def _address(hex_addr: str) -> str:
    """Cached: a table of 2,000 listeners holds a handful of addresses, and converting each line's took most of a
    read (25 ms for 2,000 lines, six reads a minute)."""
    raw = bytes.fromhex(hex_addr)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    # tcp6: four 32-bit words, each in host (little-endian) order
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def parse(text: str) -> set[tuple[str, int]]:
    """(address, port) of every listening socket in one /proc/net/tcp* table."""
    out = set()
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN:
            continue
        hex_addr, hex_port = fields[1].split(":")
        out.add((_address(hex_addr), int(hex_port, 16)))
    return out


class Listeners:
    def __init__(self, ttl: float = 1.0, clock=time.monotonic, tables=_TABLES):
        self.ttl, self.clock, self.tables = ttl, clock, tables
        self._read_at: float | None = None
        self._sockets: set[tuple[str, int]] = set()
        self.sweeping = False  # set by the periodic check of all forwards

    def _snapshot(self) -> set[tuple[str, int]]:
        now = self.clock()
        if self._read_at is None or now - self._read_at >= self.ttl:
            sockets: set[tuple[str, int]] = set()
            for table in self.tables:
                try:
                    sockets |= parse(table.read_text())
                except (OSError, ValueError):
                    pass
            self._sockets, self._read_at = sockets, now
        return self._sockets

    def listening(self, host: str, port: int) -> bool:
        """True when a socket listens on ``host:port`` (or on every address, at that port)."""
        if not self.sweeping:
            return False
        sockets = self._snapshot()
        return any((a, port) in sockets for a in (host, "0.0.0.0", "::"))


LISTENERS = Listeners()
