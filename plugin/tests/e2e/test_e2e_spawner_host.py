"""Real JupyterHub 3.0 + outpostspawner + an Outpost whose backend is the spawner host, running
JupyterHub's own LocalProcessSpawner (a real jupyterhub-singleuser), reached through the ssh tunnel."""
from __future__ import annotations


import pytest
import requests

from harness import HUB_EXTRA_CONFIG, HUB_PASSWORDS, Hub, port_open, start_outpost, wait_until
from test_e2e import read_progress, stop_server, tunnel_of

# The original Outpost's config file shape: a spawner class and its traits, plus the start-response hook.
OUTPOST_CONFIG = '''
from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port

c.JupyterHubOutpost.spawner_class = LocalProcessSpawner


def own_port(spawner):
    # The hub and this Outpost share one machine here: the hub's end of the forward already holds the
    # port the hub asked for, so the server takes another (the start answers it; the hub forwards to it).
    spawner.port = random_port()
    spawner.args = ["--allow-root", f"--port={spawner.port}"]
    spawner.log.info("pre-spawn hook ran for %s: port %d", spawner.user.name, spawner.port)


c.LocalProcessSpawner.pre_spawn_hook = own_port
c.LocalProcessSpawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
'''


@pytest.fixture(scope="module")
def spawner_outpost(workdir):
    config = workdir / "outpost-spawner-config.py"
    config.write_text(OUTPOST_CONFIG)
    # The two settings that switch an Outpost to a JupyterHub spawner (the host comes with the executable).
    outpost = start_outpost(workdir, "outpost-spawner", HUB_PASSWORDS, {
        "Outpost__Backends__Spawner__ConfigFile": str(config),
        "Outpost__Backends__Default": "Spawner",
    })
    yield outpost
    outpost["proc"].stop()


@pytest.fixture(scope="module")
def hub_sh(workdir, spawner_outpost, sshd):
    # The plugin's default misc (port, ip, ...) reaches the spawner's traits, as with the original Outpost.
    extra = HUB_EXTRA_CONFIG + "\nc.OutpostSpawner.custom_misc_disable_default = False\n"
    (workdir / "spawner-host").mkdir(exist_ok=True)
    hub = Hub("hub1", workdir / "spawner-host", spawner_outpost, sshd, extra=extra)
    hub.start()
    assert hub.api("POST", "/users/root").status_code in (201, 409)
    yield hub
    try:
        hub.api("DELETE", hub.server_path("root", ""))
        hub.wait_gone("root", "", 30)
    except Exception:
        pass
    hub.stop()


def test_local_process_spawner_through_the_spawner_host(hub_sh, spawner_outpost):
    r = hub_sh.api("POST", hub_sh.server_path("root", ""), json={})
    assert r.status_code in (201, 202), r.text
    events = read_progress(hub_sh, "root", "")
    assert events and events[-1].get("ready"), f"spawn did not become ready: {events}\n{hub_sh.proc.tail()}"
    messages = [str(e.get("message", "")) for e in events]
    assert "Server started on the Outpost." in messages, messages
    hub_sh.wait_ready("root", "")

    # The real jupyterhub-singleuser answers through the hub's proxy and the ssh forward.
    r = requests.get(hub_sh.user_url("root", ""), headers={"Authorization": f"token {hub_sh.token}"}, timeout=20)
    assert r.status_code == 200 and "version" in r.json()
    local, remote = tunnel_of(hub_sh, "root", "")
    assert local != remote and port_open(remote)
    log = spawner_outpost["log"].read_text()
    assert f"pre-spawn hook ran for root: port {remote}" in log
    assert "runs jupyterhub.spawner.LocalProcessSpawner" in log

    stop_server(hub_sh, "root", "")
    wait_until(lambda: not port_open(remote), 30, what="the server process gone")
