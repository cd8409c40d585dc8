"""One ``ssh -O forward`` for many forwards through the same ControlMaster.

After a hub restart with hundreds of servers, every restored server asks for its forward again within a
second or two. One ssh run per forward meant hundreds of ssh processes, each a fork and exec in the hub and
a connection to the master. OpenSSH takes many ``-L`` on one ``-O forward``: the client asks the master for
each in turn, goes on after one fails, and exits 255 if any failed, without saying which.

:class:`ForwardBatches` queues the forwards asked of one master. The first request starts a batch after one
turn of the event loop (so the requests of that turn join it); while a batch runs, new requests wait and
go together in the next, so batches grow with the load and a lone forward waits for nothing. Who runs a
batch (``settle``) answers each request on its own: :meth:`SshForwarder.forward_many` re-opens a master
that is gone and, when a batch fails with the master up, splits it until each failing forward has its own
error, so every spawner learns its own forward's result.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Hashable, Sequence

Item = tuple[str, str]  # (flag, spec), e.g. ("-L", "127.0.0.1:5000:10.0.0.5:8888")
Settle = Callable[[Sequence[Item]], Awaitable[list[BaseException | None]]]

# The most forwards in one ssh run: bounds its argument list and what one failure makes us split.
MAX_BATCH = 200


class ForwardBatches:
    """Queues of forward requests, one per ControlMaster (``key``), each drained one batch at a time."""

    def __init__(self, max_batch: int = MAX_BATCH):
        self.max_batch = max_batch
        self._pending: dict[Hashable, list[tuple[Item, asyncio.Future]]] = {}
        self._draining: dict[Hashable, asyncio.Task] = {}

    async def submit(self, key: Hashable, item: Item, settle: Settle) -> None:
        """Ask for one forward; returns when its batch made it, raises its own error otherwise.

        ``settle`` runs a batch of the master ``key``; requests with the same key share one master, so
        whichever request's ``settle`` runs the batch makes every forward in it.
        """
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._pending.setdefault(key, []).append((item, done))
        task = self._draining.get(key)
        if task is None or task.done() or task.get_loop() is not loop:
            self._draining[key] = loop.create_task(self._drain(key, settle))
        await done

    def queued(self, key: Hashable) -> int:
        """Requests of ``key`` waiting for a batch (not those in the running one)."""
        return len(self._pending.get(key) or ())

    async def _drain(self, key: Hashable, settle: Settle) -> None:
        me = asyncio.current_task()
        batch: list[tuple[Item, asyncio.Future]] = []
        try:
            await asyncio.sleep(0)  # requests made in the same turn of the loop join the first batch
            while self._pending.get(key):
                queue = self._pending[key]
                batch, queue[:] = queue[:self.max_batch], queue[self.max_batch:]
                batch = [(item, done) for item, done in batch if not done.done()]  # a cancelled waiter
                if not batch:
                    continue
                try:
                    results = await settle([item for item, _ in batch])
                except Exception as e:  # e.g. the master cannot be opened: every forward of the batch failed
                    results = [e] * len(batch)
                for (_, done), error in zip(batch, results):
                    if done.done():
                        continue
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
        except asyncio.CancelledError:
            for _, done in batch + self._pending.pop(key, []):
                done.cancel()
            raise
        finally:
            if self._draining.get(key) is me:
                del self._draining[key]
