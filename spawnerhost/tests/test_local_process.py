"""JupyterHub's own local spawners starting a real jupyterhub-singleuser."""

import asyncio
import time
import json
import urllib.request

from conftest import alive
from conftest import free_port
from conftest import parent_of
from conftest import wait_gone
from conftest import wait_reaped


def singleuser_spec(hub_api, user, port, hub="trusted-hub", **extra):
    prefix = f"/user/{user}/"
    env = {
        "JUPYTERHUB_USER": user,
        "JUPYTERHUB_USER_ID": "7",
        "JUPYTERHUB_API_TOKEN": "secret-token",
        "JUPYTERHUB_API_URL": hub_api,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{user}",
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
    }
    spec = {"hub": hub, "name": "", "start_id": "1", "env": env, "user_options": {},
            "misc": {"port": port}, "flavor": None, "certs": None, "trust_bundles": {},
            "auth_state": {}, "work_dir": ""}
    spec.update(extra)
    return spec


async def get_api(address, user, timeout=20):
    """GET the server's /api until it answers; returns the parsed JSON."""
    url = f"http://{address}/user/{user}/api"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            body = await loop.run_in_executor(None, lambda: urllib.request.urlopen(url, timeout=2).read())
            return json.loads(body)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_local_process_spawner_start_poll_stop(start_host, hub_api, processes):
    host = await start_host("original_local.py")
    port = free_port()
    started = await host.ok("start", server="s1", spec=singleuser_spec(hub_api, "root", port))
    pid = started["state"]["pid"]
    processes.append(pid)
    assert started["address"] == f"127.0.0.1:{port}"
    assert "version" in await get_api(started["address"], "root")
    assert (await host.ok("poll", server="s1"))["status"] is None
    assert await host.ok("stop", server="s1", now=True) == {}
    assert await wait_gone(pid)
    # evicted: without a spec the host no longer knows it
    assert (await host.call("poll", server="s1"))["error"]["class"] == "UnknownServer"


async def test_simple_local_process_spawner_ignores_parent_section(start_host, hub_api, processes, tmp_path):
    host = await start_host("simple_local.py")
    port = free_port()
    started = await host.ok("start", server="s2", spec=singleuser_spec(hub_api, "alice", port, hub="any-hub"))
    processes.append(started["state"]["pid"])
    assert started["address"] == f"127.0.0.1:{port}"  # not port 1 from c.LocalProcessSpawner
    assert "version" in await get_api(started["address"], "alice")
    assert (tmp_path / "home-alice").is_dir()
    await host.ok("stop", server="s2", now=True)
    assert await wait_gone(started["state"]["pid"])


async def test_adopted_after_host_killed(start_host, hub_api, processes):
    host = await start_host("original_local.py")
    port = free_port()
    spec = singleuser_spec(hub_api, "root", port)
    started = await host.ok("start", server="s3", spec=spec)
    pid = started["state"]["pid"]
    processes.append(pid)
    await get_api(started["address"], "root")

    host.kill()
    await host.ended()
    assert alive(pid), "the server must outlive its host"
    # the channel closes as the host's files close, a moment before the kernel re-parents its children
    deadline = time.monotonic() + 5
    while parent_of(pid) != host.proc.pid and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert parent_of(pid) == host.proc.pid, "the keeper inherits the server"

    host2 = await start_host("original_local.py")
    polled = await host2.ok("poll", server="s3", spec=spec, state=started["state"])
    assert polled == {"status": None, "state": {"pid": pid}}
    assert "version" in await get_api(started["address"], "root")
    await host2.ok("stop", server="s3", spec=spec, state=started["state"], now=True)
    assert await wait_gone(pid)
    assert await wait_reaped(pid), "the keeper reaps the stopped server"
