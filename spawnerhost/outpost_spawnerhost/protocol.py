"""The channel to the Outpost: one JSON object per line on private stdin/stdout.

At start-up the process keeps duplicates of fds 0 and 1 for the channel and points
fd 0 at /dev/null and fd 1 at stderr, so neither a spawner's print() nor a child
process it launches can read from or write into the channel.
"""

import asyncio
import json
import logging
import os
import sys
import threading
import traceback

log = logging.getLogger("outpost_spawnerhost")

MAX_LINE = 64 * 1024 * 1024  # certificates and trust bundles travel inside a line


class ProtocolError(Exception):
    """A line that is not a request this host understands."""


def take_stdio():
    """Return (read_fd, write_fd) for the channel and neutralise fds 0 and 1."""
    read_fd = os.dup(0)
    write_fd = os.dup(1)  # os.dup makes non-inheritable fds: children never see them
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return read_fd, write_fd


def answer(request_id, result):
    return {"id": request_id, "ok": True, "result": result}


def error_of(exc):
    return {
        "module": type(exc).__module__,
        "class": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


def failure(request_id, exc):
    return {"id": request_id, "ok": False, "error": error_of(exc)}


def encode(message):
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def parse_request(line):
    """(id, op, request dict) or ProtocolError (with .request_id when known)."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(request, dict):
        raise ProtocolError("a request must be a JSON object")
    request_id = request.get("id")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        raise ProtocolError("a request needs an integer 'id'")
    op = request.get("op")
    if not isinstance(op, str):
        err = ProtocolError("a request needs a string 'op'")
        err.request_id = request_id
        raise err
    return request_id, op, request


class Channel:
    """Line reader and writer over the two private fds."""

    def __init__(self, read_fd, write_fd):
        self._read_file = os.fdopen(read_fd, "rb", buffering=0)
        self._write_file = os.fdopen(write_fd, "wb", buffering=0)
        self.reader = None
        self._writer = None
        self._sync_write = False

    async def open(self):
        loop = asyncio.get_running_loop()
        self.reader = asyncio.StreamReader(limit=MAX_LINE)
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), self._read_file)
        except ValueError:
            self._read_in_thread(loop)  # a regular file: read it in a daemon thread
        try:
            transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, self._write_file)
            self._writer = asyncio.StreamWriter(transport, protocol, None, loop)
        except ValueError:
            self._sync_write = True

    def _read_in_thread(self, loop):
        reader, f = self.reader, self._read_file

        def pump():
            for line in iter(f.readline, b""):
                loop.call_soon_threadsafe(reader.feed_data, line)
            loop.call_soon_threadsafe(reader.feed_eof)

        threading.Thread(target=pump, name="channel-reader", daemon=True).start()

    async def readline(self):
        """The next line without its newline, or None at EOF."""
        try:
            line = await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            line = exc.partial
            if not line:
                return None
        except asyncio.LimitOverrunError as exc:
            await self._discard_line(exc.consumed)
            raise ProtocolError(f"line longer than {MAX_LINE} bytes") from None
        return line.rstrip(b"\r\n")

    async def _discard_line(self, consumed):
        while True:
            await self.reader.readexactly(max(consumed, 1))
            try:
                await self.reader.readuntil(b"\n")
                return
            except asyncio.LimitOverrunError as exc:
                consumed = exc.consumed
            except asyncio.IncompleteReadError:
                return

    async def send(self, message):
        """Write one message; each call writes whole lines, so lines never interleave."""
        data = encode(message)
        if self._sync_write:
            self._write_file.write(data)
            return
        self._writer.write(data)
        await self._writer.drain()
