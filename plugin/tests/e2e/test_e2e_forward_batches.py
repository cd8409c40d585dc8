"""Many forwards in one ``ssh -O forward`` against the real sshd: OpenSSH takes them together, a refused one
gets its own error while the others work, and after kill -9 of the ControlMaster one new master carries
them all again."""
from __future__ import annotations

import asyncio
import os
import signal
import socket

import pytest

from harness import free_port_block, ssh_forward_options, wait_until
from loopback import ssh_client_pids
from outpostspawner.ssh import SshEndpoint, SshError, SshForwarder, SshRunner, default_forward_options

FORWARDS = 40


class CountingRunner(SshRunner):
    """The real runner, counting what it ran."""

    def __init__(self):
        super().__init__("ssh")
        self.calls: list[list[str]] = []

    async def run(self, argv, timeout=10, capture=True):
        self.calls.append(list(argv))
        return await super().run(argv, timeout, capture)

    def count(self, word: str) -> int:
        return sum(word in c for c in self.calls)


def masters(control_dir: str) -> list[int]:
    return ssh_client_pids(lambda argv: "-N" in argv and any(
        a.startswith(f"ControlPath={control_dir}/cm-batch-") for a in argv))


async def answers(port: int) -> bool:
    """A connection to the hub-side port reaches the test's server through sshd."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        data = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
        return data == b"ok\n"
    except (OSError, asyncio.TimeoutError):
        return False


def released(port: int) -> bool:
    """Nothing listens on the hub-side port any more: the master let it go."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def endpoint(sshd):
    options = default_forward_options("127.0.0.1", sshd["port"], sshd["user"], sshd["key"])
    options.update({**ssh_forward_options(sshd), "ControlPath": f"{sshd['control_dir']}/cm-batch-%C"})
    ep = SshEndpoint("127.0.0.1", sshd["port"], sshd["user"], sshd["key"], options)
    yield ep
    for pid in masters(sshd["control_dir"]):
        os.kill(pid, signal.SIGTERM)


def test_many_forwards_in_one_ssh_run_a_refused_one_fails_alone_and_a_killed_master_heals(sshd, endpoint):
    async def scenario():
        async def serve(reader, writer):
            writer.write(b"ok\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        target = server.sockets[0].getsockname()[1]
        base = free_port_block(FORWARDS)
        busy = socket.socket()  # one hub-side port is taken by someone else: the master cannot bind it
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", base + 13))
        busy.listen()
        specs = [f"127.0.0.1:{base + i}:127.0.0.1:{target}" for i in range(FORWARDS)]
        try:
            runner = CountingRunner()
            fw = SshForwarder(runner)
            results = await asyncio.gather(*(fw.forward(endpoint, s) for s in specs), return_exceptions=True)
            refused = [specs[i] for i, r in enumerate(results) if r is not None]
            assert refused == [specs[13]], results
            assert isinstance(results[13], SshError) and specs[13] in str(results[13])
            assert all(await asyncio.gather(*(answers(base + i) for i in range(FORWARDS) if i != 13)))
            # one master; the batch ran without it, again through it, then was split down to the refused one
            assert runner.count("-N") == 1 and len(masters(sshd["control_dir"])) == 1
            assert runner.count("forward") <= 20, runner.count("forward")  # about 2 log2(40), not 40

            # kill -9 of the master takes every forward with it; asked again at once, one new master carries all
            for pid in masters(sshd["control_dir"]):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not masters(sshd["control_dir"]), 10, 0.05, "the master gone")
            assert not any(await asyncio.gather(*(answers(base + i) for i in (0, 20, 39))))
            runner.calls.clear()
            good = [s for i, s in enumerate(specs) if i != 13]
            results = await asyncio.gather(*(fw.forward(endpoint, s) for s in good), return_exceptions=True)
            assert results == [None] * len(good)
            assert runner.count("-N") == 1 and runner.count("forward") == 2  # failed (no master), then all at once
            assert all(await asyncio.gather(*(answers(base + i) for i in range(FORWARDS) if i != 13)))

            # servers stopping at once: their forwards go in one -O cancel, and each hub-side port is free again
            runner.calls.clear()
            await asyncio.gather(*(fw.cancel_together(endpoint, s) for s in good[:20]))
            assert runner.count("cancel") == 1
            assert [s for s in good[:20] if not released(int(s.split(":")[1]))] == []
            # a batch with a forward that is not there (ssh exits 255): the rest are still cancelled, each on its own
            await asyncio.gather(*(fw.cancel_together(endpoint, s) for s in [*good[20:], specs[13]]))
            busy.close()
            assert [i for i in range(FORWARDS) if not released(base + i)] == []
            await fw.exit_master(endpoint)
        finally:
            busy.close()
            server.close()
            await server.wait_closed()

    asyncio.run(asyncio.wait_for(scenario(), 120))
