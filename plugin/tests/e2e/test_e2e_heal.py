"""A forward heals itself: real sshd, real JupyterHub, the Outpost; the ssh master is killed while the
server runs, and the server is reachable through the hub's proxy again without anyone calling
/recreateforward."""
from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
import requests

from harness import HUB_EXTRA_CONFIG, Hub, ssh_client_pids, ssh_forward_options, wait_until

HEAL_WITHIN = 20.0  # seconds from kill -9 of the master to the server answering through the proxy


@pytest.fixture(scope="module")
def hub_heal(workdir, outpost, sshd):
    # its own ControlPath, so the master killed here is this hub's alone
    options = {**ssh_forward_options(sshd), "ControlPath": f"{sshd['control_dir']}/cm-heal-%C"}
    extra = HUB_EXTRA_CONFIG + f"""
c.JupyterHub.authenticate_prometheus = False
c.OutpostSpawner.ssh_forward_options = {json.dumps(options)}
c.OutpostSpawner.ssh_forward_check_interval = 1.0
c.OutpostSpawner.ssh_forward_heal_backoff_initial = 0.5
c.OutpostSpawner.ssh_forward_heal_backoff_max = 2.0
"""
    (workdir / "heal-hub").mkdir(exist_ok=True)
    hub = Hub("hub1", workdir / "heal-hub", outpost, sshd, extra=extra).start()
    assert hub.api("POST", "/users/carol").status_code in (201, 409)
    yield hub
    try:
        hub.api("DELETE", hub.server_path("carol", "heal"))
        hub.wait_gone("carol", "heal", 30)
    except Exception:
        pass
    hub.stop()


def master_pids(control_path: str) -> list[int]:
    """The ssh ControlMaster processes (``ssh -f -N``) using ``control_path``."""
    return ssh_client_pids(lambda argv: "-N" in argv and f"ControlPath={control_path}" in argv)


def reachable(hub, user: str, server: str) -> bool:
    r = requests.get(hub.user_url(user, server), headers={"Authorization": f"token {hub.token}"}, timeout=5)
    return r.status_code == 200 and "version" in r.json()


def log_lines(hub, marker: str) -> list[str]:
    return [line for line in hub.proc.log_path.read_text(errors="replace").splitlines() if marker in line]


def metric(hub, event: str) -> float:
    text = requests.get(f"{hub.url}/hub/metrics", timeout=10).text
    m = re.search(r'^outpostspawner_forward_events_total\{event="%s"\} ([0-9.e+]+)$' % event, text, re.M)
    return float(m.group(1)) if m else 0.0


def test_a_killed_ssh_master_heals_and_the_server_is_reachable_again(hub_heal, sshd):
    hub = hub_heal
    r = hub.api("POST", hub.server_path("carol", "heal"), json={})
    assert r.status_code in (201, 202), r.text
    hub.wait_ready("carol", "heal")
    wait_until(lambda: reachable(hub, "carol", "heal"), 30, what="server reachable through the proxy")

    control_path = f"{sshd['control_dir']}/cm-heal-%C"
    pids = master_pids(control_path)
    assert len(pids) == 1, f"one ControlMaster for {control_path}: {pids}"
    broken_before, restored_before = metric(hub, "broken"), metric(hub, "restored")

    os.kill(pids[0], signal.SIGKILL)
    killed_at = time.monotonic()
    wait_until(lambda: not master_pids(control_path) or master_pids(control_path) != pids, 10,
               interval=0.05, what="the master gone")
    wait_until(lambda: reachable(hub, "carol", "heal"), HEAL_WITHIN, interval=0.1,
               what="server reachable again through the proxy")
    healed_after = time.monotonic() - killed_at
    print(f"\nheal time: {healed_after:.2f}s from kill -9 of the ssh master to a 200 through the proxy")

    wait_until(lambda: log_lines(hub, "ssh forward restored"), 10, what="the restored line")
    broken, restored = log_lines(hub, "ssh forward broken"), log_lines(hub, "ssh forward restored")
    assert len(broken) == 1 and "carol:heal" in broken[0], broken
    assert len(restored) == 1 and "carol:heal" in restored[0], restored
    new_pids = master_pids(control_path)
    assert len(new_pids) == 1 and new_pids != pids, "a new ControlMaster carries the forward"
    assert metric(hub, "broken") == broken_before + 1
    assert metric(hub, "restored") == restored_before + 1

    r = hub.api("DELETE", hub.server_path("carol", "heal"))
    assert r.status_code in (202, 204), r.text
    hub.wait_gone("carol", "heal")
