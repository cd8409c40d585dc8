"""Profiles a running hub for bench/hubscale (``--profile``): where P10's hub CPU goes.

The bench's hub configuration calls :func:`install` when ``HUBSCALE_PROFILE`` names a file. Each SIGUSR2 then
toggles :mod:`cProfile` on the hub's event-loop thread: the first starts it, the second stops it and writes the
statistics to that file (``python3 -m pstats FILE`` reads them). JupyterHub keeps SIGUSR1 for its status log.
A profiled hub runs slower, so a profiled run's CPU figures are not measurements.
"""
from __future__ import annotations

import asyncio
import cProfile
import gc
import signal
import time


def install(path: str) -> None:
    state: dict = {"profile": None, "gc": None}

    def on_gc(phase: str, info: dict) -> None:  # the collector's own time, which cProfile charges to whatever ran
        gcs = state["gc"]
        if gcs is None:
            return
        if phase == "start":
            gcs["began"] = time.perf_counter()
        elif gcs.get("began") is not None:
            generation = info["generation"]
            gcs["count"][generation] += 1
            gcs["seconds"][generation] += time.perf_counter() - gcs.pop("began")

    def toggle() -> None:
        profile = state["profile"]
        if profile is None:
            state["gc"] = {"count": [0, 0, 0], "seconds": [0.0, 0.0, 0.0]}
            state["profile"] = cProfile.Profile()
            state["profile"].enable()
        else:
            profile.disable()
            gcs, state["gc"], state["profile"] = state["gc"], None, None
            with open(path + ".gc", "w") as out:  # before the statistics: the bench waits for those
                out.write(f"garbage collections per generation {gcs['count']}, seconds {[round(s, 3) for s in gcs['seconds']]}, "
                          f"objects tracked now {len(gc.get_objects())}\n")
            profile.dump_stats(path)

    gc.callbacks.append(on_gc)

    def on_start() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, toggle)

    # the hub's loop does not exist yet while its configuration is read: register from its first callback
    from jupyterhub import app

    original = app.JupyterHub.start

    async def start(self, *args, **kwargs):
        on_start()
        return await original(self, *args, **kwargs)

    app.JupyterHub.start = start


def top(path: str, count: int = 30) -> str:
    """The ``count`` functions with the most own time, then the most cumulative time, as text."""
    import io
    import pstats

    out = io.StringIO()
    try:
        with open(path + ".gc") as gcs:
            out.write(gcs.read())
    except OSError:
        pass
    stats = pstats.Stats(path, stream=out)
    stats.sort_stats("tottime").print_stats(count)
    stats.sort_stats("cumulative").print_stats(count)
    return out.getvalue()
