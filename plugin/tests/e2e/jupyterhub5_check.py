"""Basic start/poll/stop on JupyterHub 5 (Debian 13 chroot), run by scripts/e2e-jupyterhub5.

Named explicitly by that script (it is not collected by scripts/test-plugin). The hub runs
inside the chroot; sshd, the Outpost and the single-user servers run on the host. The work
directory and the plugin are bind-mounted into the chroot at the same paths.
"""
import os
import subprocess

import pytest
import requests
from harness import HUB_EXTRA_CONFIG, PLUGIN_DIR, port_open, wait_until
from test_e2e import listener_is_ssh, read_progress, stop_server, tunnel_of, wire_names

ROOT = os.environ.get("E2E_JH5_ROOT", "")


def mount_same_path(root: str, path: str, mounted: list):
    target = f"{root}{path}"
    os.makedirs(target, exist_ok=True)
    subprocess.run(["mount", "--bind", path, target], check=True)
    mounted.append(target)


@pytest.fixture(scope="module")
def chroot(workdir):
    if not ROOT or not os.path.exists(f"{ROOT}/usr/bin/jupyterhub"):
        pytest.fail("E2E_JH5_ROOT must point at the Debian 13 chroot (scripts/e2e-jupyterhub5 builds it)")
    mounted = []
    try:
        if not os.path.ismount(f"{ROOT}/proc"):
            subprocess.run(["mount", "-t", "proc", "proc", f"{ROOT}/proc"], check=True)
            mounted.append(f"{ROOT}/proc")
        mount_same_path(ROOT, str(workdir), mounted)
        mount_same_path(ROOT, str(PLUGIN_DIR), mounted)
        yield ROOT
    finally:
        for target in reversed(mounted):
            subprocess.run(["umount", "-l", target], check=False)


@pytest.fixture(scope="module")
def hub5(hub_factory, chroot):
    extra = HUB_EXTRA_CONFIG + "\nc.OutpostSpawner.custom_poll_interval = 1000\nc.OutpostSpawner.poll_bulk_max_age = 0.5\n"
    hub = hub_factory("hub1", root=chroot, extra=extra).start(timeout=90)
    assert hub.api("GET", "/").json()["version"].startswith("5.")
    assert hub.api("POST", "/users/alice").status_code in (201, 409)
    yield hub
    hub.stop()


@pytest.mark.parametrize("server", ["lab5", ""], ids=["named", "default"])
def test_jupyterhub5_start_poll_stop(hub5, outpost, server):
    r = hub5.api("POST", hub5.server_path("alice", server), json={})
    assert r.status_code in (201, 202), r.text
    events = read_progress(hub5, "alice", server)
    assert events[-1].get("ready"), events
    assert events[-1]["html_message"] == f"READY-HOOK {server or 'default'}"
    assert any(str(e.get("message", "")).startswith("Sending request") for e in events)
    hub5.wait_ready("alice", server)
    r = requests.get(hub5.user_url("alice", server), headers={"Authorization": f"token {hub5.token}"},
                     timeout=20)
    assert r.status_code == 200 and "version" in r.json()
    local, remote = tunnel_of(hub5, "alice", server)
    assert listener_is_ssh(local)
    # JupyterHub polls every second (custom_poll_interval); with poll_bulk_max_age 0.5 each poll makes a shared
    # read (GET /services/?poll=true) or, where that cannot serve, its own GET: the Outpost's /metrics counts both
    # (its per-request logs are off by default).
    def polls():
        text = requests.get(f"http://127.0.0.1:{outpost['port']}/metrics", timeout=5).text
        return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
                   if line.startswith("outpost_http_request_duration_seconds_count{")
                   and 'method="GET"' in line
                   and ('route="/services/{**path}"' in line or 'route="/services/"' in line))

    before = polls()
    wait_until(lambda: polls() >= before + 2, 20, what="periodic polls at the Outpost")
    assert hub5.server_model("alice", server)["ready"]
    stop_server(hub5, "alice", server)
    wait_until(lambda: not port_open(remote), 30, what="remote server gone")
    wait_until(lambda: not port_open(local), 20, what="forward gone")
    assert (server or "default") not in wire_names(outpost, "hub1")


@pytest.fixture(scope="module")
def hub5_systems(hub_factory, chroot, outpost, sshd, workdir):
    """JupyterHub 5 with declared systems: the Outpost on the host, and one that does not answer."""
    import json

    from harness import HUB_PASSWORDS, free_port, ssh_forward_options

    password = workdir / "hub5-outpost-password"
    password.write_text(HUB_PASSWORDS["hub2"] + "\n")
    systems = {
        "host": {"display_name": "Host Outpost", "url": outpost["url"], "username": "hub2",
                 "password_file": str(password), "ssh_node": "127.0.0.1", "ssh_port": sshd["port"],
                 "ssh_username": sshd["user"], "ssh_key": sshd["key"],
                 "ssh_forward_options": ssh_forward_options(sshd)},
        "gone": {"display_name": "Gone Outpost", "url": f"http://127.0.0.1:{free_port()}"},
    }
    hub = hub_factory("hub5sys", root=chroot, extra="c.OutpostSpawner.flavors_request_timeout = 2\n",
                      systems=f"c.OutpostSpawner.systems = {json.dumps(systems)}\n").start(timeout=90)
    assert hub.api("GET", "/").json()["version"].startswith("5.")
    assert hub.api("POST", "/users/dora").status_code in (201, 409)
    yield hub
    hub.stop()


def test_jupyterhub5_spawn_form_picks_a_declared_system(hub5_systems, outpost):
    from browser import fields_for, login, read_form

    hub = hub5_systems
    session = login(hub.url, "dora")
    page = session.get(f"{hub.url}/hub/spawn/dora/form5", timeout=30)
    assert page.status_code == 200, page.text[:300]
    assert "Host Outpost" in page.text and "Gone Outpost" in page.text
    assert "Unavailable: the Outpost does not answer" in page.text
    form = read_form(page.text)
    data = fields_for(form, {"system": "host"})
    assert "_xsrf" in form.action, "JupyterHub 5 puts its xsrf token into the form action"
    r = session.post(requests.compat.urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=60)
    assert r.status_code in (302, 303), r.text[:300]
    hub.wait_ready("dora", "form5", timeout=120)
    assert hub.server_model("dora", "form5")["user_options"] == {"system": "host"}
    r = requests.get(hub.user_url("dora", "form5"), headers={"Authorization": f"token {hub.token}"}, timeout=20)
    assert r.status_code == 200 and "version" in r.json()
    local, remote = tunnel_of(hub, "dora", "form5")
    assert listener_is_ssh(local)
    assert "form5" in wire_names(outpost, "hub2")
    stop_server(hub, "dora", "form5")
    wait_until(lambda: not port_open(remote), 30, what="remote server gone")
    assert "form5" not in wire_names(outpost, "hub2")
