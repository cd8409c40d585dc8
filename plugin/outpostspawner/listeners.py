"""Which TCP ports listen on this host, read once for many forward checks.

The forward check asks whether each forward's hub-side port accepts connections. With many servers, one
connection per forward every ``ssh_forward_check_interval`` was a large part of the hub's idle CPU. During
the periodic sweep over all forwards (``sweeping``), the kernel's table of listening sockets
(``/proc/net/tcp``, ``/proc/net/tcp6``, in the hub's own network namespace, where the ssh master listens)
answers that question for every forward at once; it is read at most once per ``ttl`` seconds, so an
answer is at most that old. The kernel is asked over netlink (``sock_diag``) for its listening TCP sockets only,
which costs a fraction of formatting ``/proc/net/tcp``'s every socket as text (2,000 servers: about 20 ms a read);
where netlink is not allowed (a sandbox), the text tables are read. Only a "listening" answer is taken from it: a port missing from the table is
still tried with a real connection. Outside a sweep (a poll checking its own server) nothing changes.
"""
from __future__ import annotations

import functools
import ipaddress
import os
import socket
import struct
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


_NETLINK_SOCK_DIAG, _SOCK_DIAG_BY_FAMILY = 4, 20
_NLM_F_REQUEST, _NLM_F_DUMP, _NLMSG_ERROR, _NLMSG_DONE = 0x1, 0x300, 2, 3
_TCP_LISTEN = 10
_HEADER = struct.Struct("=IHHII")  # struct nlmsghdr
_REQUEST = struct.Struct("=BBBBI48x")  # struct inet_diag_req_v2 (family, protocol, ext, pad, states; any socket id)
_MESSAGE = struct.Struct("=BBBB2s2s16s16s")  # struct inet_diag_msg up to the addresses


@functools.lru_cache(maxsize=1024)
def _ip(raw: bytes) -> str:
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def read_netlink() -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket of this network namespace, from the kernel's sock_diag;
    raises OSError where netlink is not allowed."""
    out: set[tuple[str, int]] = set()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as s:
        s.settimeout(5)
        for seq, family in enumerate((socket.AF_INET, socket.AF_INET6), 1):
            body = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, 1 << _TCP_LISTEN)
            s.send(_HEADER.pack(_HEADER.size + len(body), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST | _NLM_F_DUMP,
                                seq, 0) + body)
            done = False
            while not done:
                data = s.recv(65536)
                offset = 0
                while offset + _HEADER.size <= len(data):
                    length, kind, _, msg_seq, _ = _HEADER.unpack_from(data, offset)
                    if length < _HEADER.size:
                        raise OSError("sock_diag: malformed answer")
                    if kind == _NLMSG_DONE and msg_seq == seq:
                        done = True
                    elif kind == _NLMSG_ERROR:
                        code = struct.unpack_from("=i", data, offset + _HEADER.size)[0]
                        raise OSError(-code, f"sock_diag: {os.strerror(-code)}")
                    elif msg_seq == seq:
                        fam, state, _, _, sport, _, src, _ = _MESSAGE.unpack_from(data, offset + _HEADER.size)
                        if state == _TCP_LISTEN:
                            out.add((_ip(src[:4] if fam == socket.AF_INET else src), int.from_bytes(sport, "big")))
                    offset += (length + 3) & ~3
    return out


class Listeners:
    def __init__(self, ttl: float = 1.0, clock=time.monotonic, tables=_TABLES, netlink: bool = True):
        self.ttl, self.clock, self.tables, self.netlink = ttl, clock, tables, netlink
        self._read_at: float | None = None
        self._sockets: set[tuple[str, int]] = set()
        self.sweeping = False  # set by the periodic check of all forwards

    def _snapshot(self) -> set[tuple[str, int]]:
        now = self.clock()
        if self._read_at is None or now - self._read_at >= self.ttl:
            if self.netlink:
                try:
                    self._sockets, self._read_at = read_netlink(), now
                    return self._sockets
                except (OSError, ValueError, struct.error):
                    self.netlink = False  # not allowed here: the text tables from now on
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
        return (host, port) in sockets or ("0.0.0.0", port) in sockets or ("::", port) in sockets


LISTENERS = Listeners()
