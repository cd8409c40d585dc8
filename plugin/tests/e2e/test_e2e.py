"""Real JupyterHub 3.0 + outpostspawner + Outpost (local processes) + sshd tunnel endpoint."""
from __future__ import annotations

import json
import ssl
import subprocess

import pytest
import requests

from urllib.parse import urlparse

from harness import find_server_env, outpost_servers, port_open, wait_until

PLUGIN_MESSAGES = ("Sending request to Outpost", "Outpost communication successful", "Server requested")


@pytest.fixture(scope="module")
def hub1(hub_factory):
    hub = hub_factory("hub1").start()
    for user in ("alice", "bob"):
        assert hub.api("POST", f"/users/{user}").status_code in (201, 409)
    yield hub


@pytest.fixture(scope="module")
def hub2_ssl(hub_factory):
    hub = hub_factory("hub2", internal_ssl=True).start()
    assert hub.api("POST", "/users/alice").status_code in (201, 409)
    yield hub


def read_progress(hub, user: str, server: str, timeout: float = 120) -> list:
    path = f"{hub.server_path(user, server)}/progress"
    events = []
    with hub.api("GET", path, stream=True) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith(b"data:"):
                event = json.loads(line[5:])
                events.append(event)
                if event.get("ready") or event.get("failed"):
                    break
    return events


def start_server(hub, user: str, server: str, options: dict | None = None) -> list:
    r = hub.api("POST", hub.server_path(user, server), json=options or {})
    assert r.status_code in (201, 202), r.text
    events = read_progress(hub, user, server)
    assert events and events[-1].get("ready"), f"spawn did not become ready: {events}\n{hub.proc.tail()}"
    hub.wait_ready(user, server)
    return events


def tunnel_of(hub, user: str, server: str) -> tuple[int, int]:
    """(hub-side forward port, remote server port) from the spawner state."""
    state = hub.server_model(user, server)["state"]
    spec = state["tunnels"]["local"]["spec"]  # 127.0.0.1:L:127.0.0.1:R
    _, local, _, remote = spec.split(":")
    return int(local), int(remote)


def listener_is_ssh(port: int) -> bool:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return '"ssh"' in out


def wire_names(outpost, hub: str) -> set:
    return {s["name"] for s in outpost_servers(outpost, hub)}


def stop_server(hub, user: str, server: str):
    r = hub.api("DELETE", hub.server_path(user, server))
    assert r.status_code in (202, 204), r.text
    hub.wait_gone(user, server)


@pytest.mark.parametrize("hub_name", ["hub1", "hub2_ssl"], ids=["http", "internal_ssl"])
@pytest.mark.parametrize("server", ["lab", ""], ids=["named", "default"])
def test_start_reach_through_tunnel_stop(request, outpost, server, hub_name):
    hub1 = request.getfixturevalue(hub_name)
    outpost_hub = "hub2" if hub_name == "hub2_ssl" else "hub1"
    events = start_server(hub1, "alice", server)
    outpost_events = [e for e in events if not e.get("ready")
                      and not str(e.get("message", "")).startswith(PLUGIN_MESSAGES)]
    assert outpost_events, f"no event from the Outpost in the progress stream: {events}"
    assert any(str(e.get("message", "")).startswith("Sending request") for e in events), \
        "the plugin's first event was lost"
    assert events[-1]["html_message"] == f"READY-HOOK {server or 'default'}", "progress_ready_hook ran"

    r = requests.get(hub1.user_url("alice", server), headers={"Authorization": f"token {hub1.token}"},
                     timeout=20)
    assert r.status_code == 200 and "version" in r.json()

    local, remote = tunnel_of(hub1, "alice", server)
    assert local != remote
    if hub1.internal_ssl:
        assert hub1.server_model("alice", server)["state"]["port"] == local
        assert hub1.api("GET", "/users/alice").json()["servers"][server]["ready"]
        # the forward leads to a TLS endpoint with the per-server certificate of this hub
        pem = ssl.get_server_certificate(("127.0.0.1", local))
        assert "BEGIN CERTIFICATE" in pem
    assert listener_is_ssh(local), "the hub reaches the server through the ssh forward"
    assert hub1.server_model("alice", server)["state"]["outpostspawner_version"] >= 1
    assert (server or "default") in wire_names(outpost, outpost_hub)

    stop_server(hub1, "alice", server)
    wait_until(lambda: not port_open(local), 20, what="forward closed")
    wait_until(lambda: not port_open(remote), 30, what="remote server process gone")
    assert (server or "default") not in wire_names(outpost, outpost_hub)


def test_events_api_list_servers_and_setuptunnel_validation(hub1, outpost):
    start_server(hub1, "bob", "x1")
    try:
        r = hub1.api("GET", "/users/progress/events/bob/x1")
        assert r.status_code == 200 and r.json()["events"]

        # The Outpost's events carry ids; an event sent again (same id) is acknowledged, shown once.
        def outpost_ids():
            return [e["id"] for e in hub1.api("GET", "/users/progress/events/bob/x1").json()["events"]
                    if "id" in e]
        wait_until(outpost_ids, 20, what="events relayed by the Outpost")
        assert len(outpost_ids()) == len(set(outpost_ids()))
        repeat = {"progress": 95, "message": "sent twice", "id": "e2e-repeat"}
        for _ in range(2):
            assert hub1.api("POST", "/users/progress/events/bob/x1", json=repeat).status_code == 204
        events = hub1.api("GET", "/users/progress/events/bob/x1").json()["events"]
        assert [e["message"] for e in events if e.get("id") == "e2e-repeat"] == ["sent twice"]

        model = hub1.server_model("bob", "x1")
        start_id = model["state"]["start_id"]
        uid = hub1.api("GET", "/users/bob").json().get("id")
        r = hub1.api("GET", "/outpost/servers")
        assert r.status_code == 200
        assert any(item.endswith(f"_x1_{start_id}") for item in r.json())
        if uid is not None:
            assert f"{uid}_x1_{start_id}" in r.json()

        cases = [
            ({"service": "127.0.0.1:1", "ssh_forward_options": {"ProxyCommand": "touch /tmp/pwn"}},
             "ssh_forward_options"),
            ({"service": "127.0.0.1:1", "ssh_node": "-oProxyCommand=touch /tmp/pwn"}, "ssh_node"),
            ({"service": "127.0.0.1:1", "ssh_port": "22; id"}, "ssh_port"),
            ({"service": "127.0.0.1:1", "ssh_username": "$(id)"}, "ssh_username"),
            ({"service": "127.0.0.1:1", "ssh_key": "/etc/shadow"}, "ssh_key"),
            ({"service": "127.0.0.1:1", "LocalCommand": "id"}, "LocalCommand"),
        ]
        for body, field in cases:
            r = hub1.api("POST", "/users/setuptunnel/bob/x1", json=body)
            assert r.status_code == 400, (body, r.text)
            assert field in r.json().get("message", ""), (field, r.text)

        # no token -> refused; wrong user's scope -> refused
        r = requests.post(f"{hub1.api_url}/users/setuptunnel/bob/x1", json={"service": "127.0.0.1:1"})
        assert r.status_code in (401, 403)
        r = hub1.api("GET", "/outpost/servers", headers={"Authorization": "token nope"})
        assert r.status_code in (401, 403)

        # flavor usage pushed by an Outpost (needs custom:outpostflavors:set), read by users
        flavors = {"small": {"max": 4, "current": 1, "display_name": "Small"}}
        assert hub1.api("POST", "/outpostflavors/sys1", json=flavors).status_code == 200
        assert hub1.api("GET", "/outpostflavors/sys1").json() == flavors
        assert hub1.api("GET", "/outpostflavors").json()["sys1"] == flavors
        assert requests.post(f"{hub1.api_url}/outpostflavors/sys1", json={}).status_code in (401, 403)
        assert requests.get(f"{hub1.api_url}/outpostflavors").status_code in (401, 403)

        # ssh node restarted: forwards behind 127.0.0.1 are rebuilt in the background
        r = hub1.api("GET", "/recreateforward/127.0.0.1")
        assert r.status_code == 202 and r.json()["servers"] >= 1

        # the server still answers after the refused calls and the forward rebuild
        def reachable():
            r = requests.get(hub1.user_url("bob", "x1"), headers={"Authorization": f"token {hub1.token}"},
                             timeout=20)
            return r.status_code == 200

        wait_until(reachable, 30, what="bob/x1 reachable after the forward rebuild")
    finally:
        stop_server(hub1, "bob", "x1")


def test_hub_restart_keeps_server_reachable(hub1, sshd, outpost):
    start_server(hub1, "alice", "keep")
    local, remote = tunnel_of(hub1, "alice", "keep")
    hub1.stop()
    # drop the ControlMaster too, so the forward really has to be recreated
    subprocess.run(["ssh", "-o", f"ControlPath={sshd['control_dir']}/cm-%C", "-p", str(sshd["port"]),
                    "-O", "exit", f"{sshd['user']}@127.0.0.1"], capture_output=True, timeout=10)
    wait_until(lambda: not port_open(local), 20, what="forward gone with the master")
    assert port_open(remote), "the remote server keeps running while the hub is down"
    hub1.start()
    hub1.wait_ready("alice", "keep", timeout=60)
    r = wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(
        requests.get(hub1.user_url("alice", "keep"), headers={"Authorization": f"token {hub1.token}"},
                     timeout=20)), 60, what="server reachable after the restart")
    assert "version" in r.json()
    assert listener_is_ssh(local)
    stop_server(hub1, "alice", "keep")
    wait_until(lambda: not port_open(remote), 30, what="remote server gone")


def test_internal_ssl_and_two_hubs_same_user(hub1, hub2_ssl, outpost):
    start_server(hub1, "alice", "")
    start_server(hub2_ssl, "alice", "")
    try:
        for hub in (hub1, hub2_ssl):
            r = requests.get(hub.user_url("alice", ""), headers={"Authorization": f"token {hub.token}"},
                             timeout=20)
            assert r.status_code == 200 and "version" in r.json(), (hub.name, r.text)
        l1, r1 = tunnel_of(hub1, "alice", "")
        l2, r2 = tunnel_of(hub2_ssl, "alice", "")
        assert r1 != r2 and l1 != l2
        assert listener_is_ssh(l2)
        assert hub2_ssl.server_model("alice", "")["url"]  # hub knows the server
        # the hub talks TLS to the server through the tunnel
        url = hub2_ssl.api("GET", "/users/alice").json()["servers"][""]
        assert url["ready"]
        assert "default" in wire_names(outpost, "hub1") and "default" in wire_names(outpost, "hub2")
    finally:
        stop_server(hub1, "alice", "")
        stop_server(hub2_ssl, "alice", "")
    assert "default" not in wire_names(outpost, "hub2")


def test_delayed_tunnel_set_up_with_the_servers_own_token(hub1, outpost):
    """Async start: the Outpost answers 202 without an address; the server itself calls
    the setuptunnel API with its own token, then the hub reaches it through ssh."""
    assert hub1.api("POST", "/users/carol").status_code in (201, 409)
    r = hub1.api("POST", "/users/carol/servers/async1", json={"async": True})
    assert r.status_code == 202, r.text
    env = wait_until(lambda: find_server_env("carol", "async1"), 60, what="server process of carol/async1")
    remote_port = urlparse(env["JUPYTERHUB_SERVICE_URL"]).port
    wait_until(lambda: port_open(remote_port), 60, what="remote server listening")
    assert env["JUPYTERHUB_SETUPTUNNEL_URL"].endswith("/users/setuptunnel/carol/async1")
    r = requests.post(env["JUPYTERHUB_SETUPTUNNEL_URL"], json={"service": f"127.0.0.1:{remote_port}"},
                      headers={"Authorization": f"token {env['JUPYTERHUB_API_TOKEN']}"}, timeout=30)
    assert r.status_code == 204, r.text
    hub1.wait_ready("carol", "async1", timeout=90)
    r = requests.get(hub1.user_url("carol", "async1"), headers={"Authorization": f"token {hub1.token}"},
                     timeout=20)
    assert r.status_code == 200
    local, remote = tunnel_of(hub1, "carol", "async1")
    assert remote == remote_port and listener_is_ssh(local)
    stop_server(hub1, "carol", "async1")
    wait_until(lambda: not port_open(remote_port), 30, what="remote server gone")
    wait_until(lambda: not port_open(local), 20, what="forward gone")


def test_failed_event_cancels_start_and_removes_remote_server(hub1, outpost):
    assert hub1.api("POST", "/users/carol").status_code in (201, 409)
    r = hub1.api("POST", "/users/carol/servers/slow1", json={"slow": True})
    assert r.status_code == 202, r.text
    # the Outpost has the server (the start request returned; the hub is still in start())
    wait_until(lambda: "slow1" in wire_names(outpost, "hub1"), 30, what="server known to the Outpost")
    r = hub1.api("POST", "/users/progress/events/carol/slow1",
                 json={"failed": True, "progress": 100, "message": "Outpost says no",
                       "html_message": "<details><summary>Outpost says no</summary></details>"})
    assert r.status_code == 204, r.text
    hub1.wait_gone("carol", "slow1", timeout=30)
    wait_until(lambda: "slow1" not in wire_names(outpost, "hub1"), 30, what="remote server removed")
    assert find_server_env("carol", "slow1") is None or wait_until(
        lambda: find_server_env("carol", "slow1") is None, 30, what="remote process gone")
