"""Times the steps of a hub's start-up for bench/hubscale's P9 (where a restart's time goes).

The bench's hub configuration calls :func:`install` when ``HUBSCALE_TRACE`` names a file (the bench sets it
only for the restart it measures). A few coroutines of JupyterHub and of outpostspawner are wrapped; each
call writes one JSON line ``[step, detail, began, ended]`` (``time.time()``). A wrapper costs microseconds,
the steps it times milliseconds. A name that is missing (another plugin version) is left out.
"""
from __future__ import annotations

import json
import time


def install(path: str) -> None:
    out = open(path, "a", buffering=1)

    def wrap(cls, attr: str, step: str, detail=lambda self, args: "") -> None:
        original = cls.__dict__.get(attr)
        if original is None:
            return

        async def timed(self, *args, **kwargs):
            began = time.time()
            try:
                return await original(self, *args, **kwargs)
            finally:
                out.write(json.dumps([step, detail(self, args), began, time.time()]) + "\n")

        setattr(cls, attr, timed)

    from jupyterhub import app, proxy, spawner, user

    wrap(app.JupyterHub, "init_spawners", "init_spawners")
    wrap(user.User, "_wait_up", "wait_up")
    wrap(proxy.Proxy, "check_routes", "check_routes")
    wrap(spawner.LocalProcessSpawner, "poll", "poll")
    try:
        from outpostspawner import spawner as outpost, ssh
    except ImportError:
        return
    wrap(outpost.OutpostSpawner, "_poll_outpost", "poll")
    wrap(outpost.OutpostSpawner, "run_ssh_forward", "forward")

    def ssh_detail(_runner, args) -> str:
        argv = args[0]
        if "-O" not in argv:
            return "master" if "-N" in argv else "other"
        return f"{argv[argv.index('-O') + 1]} {sum(a == '-L' for a in argv)}"

    wrap(ssh.SshRunner, "run", "ssh", ssh_detail)
