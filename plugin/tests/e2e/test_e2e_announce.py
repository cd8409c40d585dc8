"""An Outpost that restarts announces it: real sshd, real JupyterHub, the real Outpost. The hub's ssh
master is killed while the periodic forward check is off and polls are minutes apart, so only the
Outpost's announcement after its restart can bring the forward back before the next poll."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest
import requests

from harness import HUB_EXTRA_CONFIG, HUB_PASSWORDS, Hub, ssh_forward_options, start_outpost, wait_until
from test_e2e_heal import master_pids, reachable

POLL_INTERVAL = 300  # seconds: the forward must come back long before the next poll
ANNOUNCED_WITHIN = 60.0  # seconds from the Outpost's restart to the server answering through the proxy


@pytest.fixture(scope="module")
def announce_outpost(workdir):
    info = start_outpost(workdir, "outpost-announce", HUB_PASSWORDS)
    yield info
    info["proc"].stop()


@pytest.fixture(scope="module")
def announce_hub(workdir, announce_outpost, sshd):
    control_path = f"{sshd['control_dir']}/cm-announce-%C"
    system = {"url": announce_outpost["url"], "username": "hub1", "password_env": "E2E_ANNOUNCE_PASSWORD",
              "ssh_node": "127.0.0.1", "ssh_port": sshd["port"], "ssh_username": sshd["user"],
              "ssh_key": sshd["key"],
              "ssh_forward_options": {**ssh_forward_options(sshd), "ControlPath": control_path}}
    extra = HUB_EXTRA_CONFIG + f"""
c.OutpostSpawner.ssh_forward_check_interval = 0
c.OutpostSpawner.poll_interval = {POLL_INTERVAL}
c.OutpostSpawner.custom_poll_interval = {POLL_INTERVAL * 1000}
"""
    (workdir / "announce-hub").mkdir(exist_ok=True)
    hub = Hub("announce", workdir / "announce-hub", announce_outpost, sshd, extra=extra,
              systems=f"c.OutpostSpawner.systems = {json.dumps({'sysann': system})}\n")
    hub.env["E2E_ANNOUNCE_PASSWORD"] = HUB_PASSWORDS["hub1"]
    hub.start()
    assert hub.api("POST", "/users/dora").status_code in (201, 409)
    hub.control_path = control_path
    yield hub
    try:
        hub.api("DELETE", hub.server_path("dora", "ann"))
        hub.wait_gone("dora", "ann", 30)
    except Exception:
        pass
    hub.stop()


def test_an_outpost_restart_makes_the_hub_recreate_a_dead_forward_before_the_next_poll(
        workdir, announce_hub, announce_outpost):
    hub = announce_hub
    r = hub.api("POST", hub.server_path("dora", "ann"), json={"system": "sysann"})
    assert r.status_code in (201, 202), r.text
    hub.wait_ready("dora", "ann")
    wait_until(lambda: reachable(hub, "dora", "ann"), 30, what="server reachable through the proxy")

    pids = master_pids(hub.control_path)
    assert len(pids) == 1, f"one ControlMaster for {hub.control_path}: {pids}"
    os.kill(pids[0], signal.SIGKILL)
    wait_until(lambda: not reachable(hub, "dora", "ann"), 20, interval=0.1, what="the forward dead")

    # the Outpost restarts on its port and data folder (its server runs on, in its own session)
    announce_outpost["proc"].stop()
    restarted_at = time.monotonic()
    again = start_outpost(workdir, "outpost-announce", HUB_PASSWORDS, port=announce_outpost["port"])
    announce_outpost["proc"] = again["proc"]
    wait_until(lambda: reachable(hub, "dora", "ann"), ANNOUNCED_WITHIN, interval=0.1,
               what="server reachable again through the proxy")
    took = time.monotonic() - restarted_at
    print(f"\nannouncement: {took:.2f}s from the Outpost's restart to a 200 through the proxy "
          f"(next poll due in {POLL_INTERVAL}s)")
    assert took < POLL_INTERVAL
    log = hub.proc.log_path.read_text(errors="replace")
    assert "Outpost of sysann announced outpost_started: checking 1 forward(s)" in log
    assert "ssh forward restored: dora:ann" in log
    assert "Told hub hub1 to re-create its forwards (outpost_started)" in again["log"].read_text(errors="replace")
    new_pids = master_pids(hub.control_path)
    assert len(new_pids) == 1 and new_pids != pids, "a new ControlMaster carries the forward"
