"""Declared systems end to end: a real JupyterHub 3.0 with two real Outposts (different hub names,
passwords and flavors) and a third system whose Outpost does not answer. A user picks each system
in the spawn form (fetched and posted as a browser would), the server lands on that Outpost and is
reached through its ssh tunnel; the form is rendered by headless chromium for a screenshot; the
example configuration in docs/ is loaded by a real JupyterHub."""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
import requests

from browser import fields_for, login, read_form, run_chromium
from harness import (
    PY, PLUGIN_DIR, REPO, Hub, Proc, free_port, free_port_block, outpost_servers, port_open,
    ssh_forward_options, start_outpost, wait_until,
)
from test_e2e import listener_is_ssh, stop_server, tunnel_of

HUB_TOKEN = secrets.token_hex(16)
PASSWORD_A, PASSWORD_B = secrets.token_hex(12), secrets.token_hex(12)
RESULTS = Path(os.environ.get("RESULTS_DIR") or REPO / "test-results").resolve()


def flavor_env(flavors: dict) -> dict:
    env = {}
    for name, definition in flavors.items():
        for key, value in definition.items():
            env[f"Outpost__Flavors__Flavors__{name}__{key}"] = str(value)
    return env


@pytest.fixture(scope="module")
def two_outposts(workdir):
    a = start_outpost(workdir, "outpost-a", {"central": PASSWORD_A}, {
        **flavor_env({
            "small": {"display_name": "Small", "description": "1 CPU, 2 GB", "max": 3, "weight": 1},
            "large": {"display_name": "Large", "description": "16 CPUs, 64 GB", "max": 0, "weight": 2},
        }),
        "Outpost__Hubs__central__FlavorsUpdateToken": HUB_TOKEN,
    })
    try:
        b = start_outpost(workdir, "outpost-b", {"campus": PASSWORD_B}, {
            **flavor_env({"gpu": {"display_name": "GPU", "description": "1 GPU", "max": 2}}),
            "Outpost__Hubs__campus__FlavorsUpdateToken": HUB_TOKEN,
        })
    except Exception:
        a["proc"].stop()
        raise
    yield {"a": a, "b": b}
    for o in (a, b):
        o["proc"].stop()


@pytest.fixture(scope="module")
def systems_hub(workdir, two_outposts, sshd, hub_factory):
    password_b = workdir / "outpost-b-password"
    password_b.write_text(PASSWORD_B + "\n")
    tunnel = {"ssh_node": "127.0.0.1", "ssh_port": sshd["port"], "ssh_username": sshd["user"],
              "ssh_key": sshd["key"], "ssh_forward_options": ssh_forward_options(sshd),
              "request_kwargs": {"request_timeout": 90, "connect_timeout": 10}}
    systems = {
        "a": {"display_name": "Cluster A", "description": "The first Outpost", "url": two_outposts["a"]["url"],
              "username": "central", "password_env": "E2E_OUTPOST_A_PASSWORD", **tunnel},
        "b": {"display_name": "Cluster B", "description": "The second Outpost", "url": two_outposts["b"]["url"],
              "username": "campus", "password_file": str(password_b), **tunnel},
        "offline": {"display_name": "Offline system", "description": "Its Outpost does not answer",
                    "url": f"http://127.0.0.1:{free_port()}"},
    }
    hub = hub_factory("systems", token=HUB_TOKEN, extra="c.OutpostSpawner.flavors_request_timeout = 2\n",
                      systems=f"c.OutpostSpawner.systems = {json.dumps(systems)}\n")
    hub.env["E2E_OUTPOST_A_PASSWORD"] = PASSWORD_A
    hub.start()
    yield hub
    hub.stop()


def spawn_from_form(hub, session, user: str, server: str, system: str, flavor: str) -> str:
    page = session.get(f"{hub.url}/hub/spawn/{user}/{server}", timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert "Cluster A" in page.text and "Cluster B" in page.text and "Offline system" in page.text
    form = read_form(page.text)
    data = fields_for(form, {"system": system, f"flavor.{system}": flavor})
    action = form.action or f"/hub/spawn/{user}/{server}"
    r = session.post(requests.compat.urljoin(page.url, action), data=data, allow_redirects=False, timeout=60)
    assert r.status_code in (302, 303), f"{r.status_code}: {r.text[:500]}"
    return page.text


@pytest.mark.parametrize("system,other,flavor,outpost_hub", [
    ("a", "b", "small", "central"), ("b", "a", "gpu", "campus"),
], ids=["system-a", "system-b"])
def test_user_picks_a_system_in_the_form_and_the_server_runs_there(systems_hub, two_outposts, system, other,
                                                                  flavor, outpost_hub):
    hub = systems_hub
    assert hub.api("POST", "/users/alice").status_code in (201, 409)
    session = login(hub.url, "alice")
    server = f"on-{system}"
    spawn_from_form(hub, session, "alice", server, system, flavor)
    hub.wait_ready("alice", server, timeout=120)
    try:
        model = hub.server_model("alice", server)
        assert model["user_options"] == {"system": system, "flavor": flavor}
        assert model["state"]["system"] == system
        r = requests.get(hub.user_url("alice", server), headers={"Authorization": f"token {hub.token}"},
                         timeout=20)
        assert r.status_code == 200 and "version" in r.json()
        local, remote = tunnel_of(hub, "alice", server)
        assert listener_is_ssh(local), "reached through the ssh forward"
        names = {s["name"] for s in outpost_servers(two_outposts[system], outpost_hub)}
        assert server in names, f"{server} is not on Outpost {system}: {names}"
        other_hub = "campus" if outpost_hub == "central" else "central"
        assert server not in {s["name"] for s in outpost_servers(two_outposts[other], other_hub)}
        # the chosen Outpost pushed its new usage; admins see it per system
        def pushed():
            status = {s["name"]: s for s in hub.api("GET", "/outpost/systems").json()["systems"]}
            s = status[system]
            return s if s["source"] == "push" and s["flavors"][flavor]["current"] == 1 else None

        status = wait_until(pushed, 30, what=f"usage push from Outpost {system}")
        assert status["answers"] is True
    finally:
        stop_server(hub, "alice", server)
    wait_until(lambda: not port_open(remote), 30, what="remote server gone")
    assert server not in {s["name"] for s in outpost_servers(two_outposts[system], outpost_hub)}


def test_systems_status_api(systems_hub):
    r = systems_hub.api("GET", "/outpost/systems")
    assert r.status_code == 200
    systems = {s["name"]: s for s in r.json()["systems"]}
    assert set(systems) == {"a", "b", "offline"}
    assert systems["a"]["answers"] and systems["b"]["answers"]
    assert not systems["offline"]["answers"] and "does not answer" in systems["offline"]["error"]
    assert systems["a"]["flavors"]["large"]["max"] == 0
    # read-only and for admins: a user's own token does not get it
    assert systems_hub.api("POST", "/users/mallory").status_code in (201, 409)
    token = systems_hub.api("POST", "/users/mallory/tokens", json={}).json()["token"]
    assert systems_hub.api("GET", "/outpost/systems", headers={"Authorization": f"token {token}"}).status_code == 403


def test_spawn_form_in_headless_chromium(systems_hub, workdir):
    hub = systems_hub
    assert hub.api("POST", "/users/bob").status_code in (201, 409)
    session = login(hub.url, "bob")
    page = session.get(f"{hub.url}/hub/spawn/bob/shot", timeout=30)
    assert page.status_code == 200
    # the page as the browser got it; <base> lets it load the hub's own CSS and scripts
    html_text = re.sub(r"<head([^>]*)>", rf'<head\1><base href="{hub.url}/">', page.text, count=1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / "plugin-spawn-form.html"
    saved.write_text(html_text)
    png = RESULTS / "plugin-spawn-form.png"
    png.unlink(missing_ok=True)
    run_chromium(saved, f"--screenshot={png}", "--window-size=1000,900", "--hide-scrollbars")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000, "a real screenshot"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 900)
    dom = run_chromium(saved, "--dump-dom")
    form = read_form(dom)
    radios = {(i["name"], i["value"]): i for i in form.inputs if i.get("type") == "radio"}
    assert "checked" in radios[("system", "a")] and "disabled" not in radios[("system", "b")]
    assert "disabled" in radios[("system", "offline")], "an unreachable Outpost is unavailable"
    assert "disabled" in radios[("flavor.a", "large")] and "disabled" not in radios[("flavor.a", "small")]
    assert ("flavor.b", "gpu") in radios
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "full: 0 of 0 in use" in text
    assert re.search(r"Unavailable: the Outpost does not answer", text)
    for name in ("Cluster A", "Cluster B", "Offline system", "Small", "Large", "GPU"):
        assert name in text


# ---------------------------------------------------------------------- the example in docs/
def z2jh_config(d: Path) -> tuple[Path, dict]:
    """docs/examples/z2jh/values.yaml as the jupyterhub chart hands it to the hub: hub.config as traitlets
    configuration, hub.services and hub.loadRoles, hub.extraEnv, then every hub.extraConfig snippet."""
    import yaml

    hub = yaml.safe_load((REPO / "docs/examples/z2jh/values.yaml").read_text())["hub"]
    lines = ["c = get_config()  # noqa"]
    for section, values in hub["config"].items():
        for key, value in values.items():
            lines.append(f"c.{section}.{key} = {value!r}")
    services = [{"name": n, "api_token": secrets.token_hex(16)} for n in hub["services"]]
    roles = [{"name": n, **{k: v for k, v in r.items() if k in ("description", "services", "scopes")}}
             for n, r in hub["loadRoles"].items()]
    lines += [f"c.JupyterHub.services = {services!r}", f"c.JupyterHub.load_roles = {roles!r}"]
    for key in sorted(hub["extraConfig"]):
        lines.append(hub["extraConfig"][key])
    path = d / "z2jh_config.py"
    path.write_text("\n".join(lines) + "\n")
    # extraEnv comes from the Secret; here the test's values stand in for it
    return path, {name: "pw-cloud" for name in hub["extraEnv"]}


def example_hub(workdir: Path, name: str, env: dict, source: str = "example") -> tuple[Proc, str]:
    d = workdir / f"example-{name}"
    d.mkdir()
    base = free_port_block(3)
    config = REPO / "docs/examples/jupyterhub_config.py"
    if source == "z2jh":
        config, secret_env = z2jh_config(d)
        env = {**env, **secret_env}
    argv = [PY, "-m", "jupyterhub", "-f", str(config),
            "--JupyterHub.authenticator_class=dummy", "--JupyterHub.ip=127.0.0.1", f"--JupyterHub.port={base}",
            "--JupyterHub.hub_ip=127.0.0.1", f"--JupyterHub.hub_port={base + 1}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{base + 2}",
            f"--JupyterHub.db_url=sqlite:///{d}/jupyterhub.sqlite",
            f"--JupyterHub.cookie_secret_file={d}/cookie_secret", f"--JupyterHub.pid_file={d}/jupyterhub.pid"]
    full_env = {**os.environ, "NODE_PATH": "/usr/share/nodejs", "PYTHONPATH": str(PLUGIN_DIR),
                "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", **env}
    return Proc(argv, d / "hub.log", env=full_env, cwd=str(d)), f"http://127.0.0.1:{base}"


def wait_hub_up(proc: Proc, url: str):
    def up():
        if not proc.alive():
            raise AssertionError(f"the example hub exited:\n{proc.tail()}")
        return requests.get(f"{url}/hub/api/", timeout=2).status_code == 200

    try:
        wait_until(up, 60, what="the example hub")
    except TimeoutError:
        raise AssertionError(proc.tail()) from None


def example_env(workdir: Path) -> dict:
    folder = workdir / "example-secrets"
    folder.mkdir(exist_ok=True)
    for name, text in (("hpc-password", "pw-hpc"), ("ssh-hpc", "key"), ("ssh-cloud", "key")):
        (folder / name).write_text(text + "\n")
        os.chmod(folder / name, 0o600)
    return {"OUTPOST_SECRETS_DIR": str(folder), "OUTPOST_CLOUD_PASSWORD": "pw-cloud",
            "OUTPOST_HPC_URL": f"http://127.0.0.1:{free_port()}", "OUTPOST_CLOUD_URL": f"http://127.0.0.1:{free_port()}"}


@pytest.mark.parametrize("source", ["example", "z2jh"], ids=["docs-examples-jupyterhub_config", "z2jh-values-snippet"])
def test_example_config_form_shows_both_systems_when_no_outpost_answers(workdir, source):
    proc, url = example_hub(workdir, f"ok-{source}", example_env(workdir), source)
    try:
        wait_hub_up(proc, url)
        session = login(url, "carol")
        page = session.get(f"{url}/hub/spawn", timeout=30)
        assert page.status_code == 200
        assert "HPC cluster" in page.text and "Cloud (Kubernetes)" in page.text
        assert page.text.count("Unavailable: the Outpost does not answer") == 2
        assert "outpostspawner: declared systems: hpc" in proc.log_path.read_text()
        assert "pw-hpc" not in proc.log_path.read_text() and "pw-cloud" not in proc.log_path.read_text()
    finally:
        proc.stop()


def test_example_config_with_a_missing_secret_stops_the_hub_naming_the_key(workdir):
    env = example_env(workdir)
    del env["OUTPOST_CLOUD_PASSWORD"]
    proc, _ = example_hub(workdir, "bad", {**env, "OUTPOST_CLOUD_PASSWORD": ""})
    try:
        wait_until(lambda: not proc.alive(), 60, what="the hub to refuse the configuration")
        assert proc.popen.returncode != 0
        log = proc.log_path.read_text()
        assert 'c.OutpostSpawner.systems["cloud"]["password_env"]: environment variable OUTPOST_CLOUD_PASSWORD is not set' in log
    finally:
        proc.stop()


def flavor_requests(outpost) -> int:
    """GET /flavors requests the Outpost served, from its own /metrics."""
    text = requests.get(f"{outpost['url']}/metrics", timeout=10).text
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if line.startswith("outpost_http_request_duration_seconds_count{")
               and 'method="GET"' in line and 'route="/flavors' in line)


def test_many_users_opening_the_form_cost_one_flavor_request_per_outpost(two_outposts, hub_factory, sshd):
    """60 users open the spawn form of a freshly started hub at the same moment: each Outpost counts
    one GET /flavors (the unit test does the same with 200 users against a loopback HTTP server)."""
    from concurrent.futures import ThreadPoolExecutor
    import threading

    systems = {name: {"display_name": f"Crowd {name}", "url": two_outposts[name]["url"]} for name in ("a", "b")}
    systems["a"].update(username="central", password_env="E2E_OUTPOST_A_PASSWORD")
    systems["b"].update(username="campus", password_env="E2E_OUTPOST_B_PASSWORD")
    # 60 page requests at once keep the hub's event loop busy for seconds on a loaded 2-core machine,
    # and the flavor request's timeout runs from when the loop starts it: give it room.
    hub = hub_factory("crowd", extra="c.OutpostSpawner.flavors_request_timeout = 30\n",
                      systems=f"c.OutpostSpawner.systems = {json.dumps(systems)}\n")
    hub.env.update(E2E_OUTPOST_A_PASSWORD=PASSWORD_A, E2E_OUTPOST_B_PASSWORD=PASSWORD_B)
    hub.start()
    try:
        users = [f"crowd{i:02d}" for i in range(60)]
        with ThreadPoolExecutor(8) as pool:
            sessions = list(pool.map(lambda u: login(hub.url, u), users))
        before = {name: flavor_requests(o) for name, o in two_outposts.items()}
        barrier = threading.Barrier(len(users))

        def open_form(args):
            user, session = args
            barrier.wait(30)
            return session.get(f"{hub.url}/hub/spawn/{user}/crowd", timeout=60)

        with ThreadPoolExecutor(len(users)) as pool:
            pages = list(pool.map(open_form, zip(users, sessions)))
        assert all(p.status_code == 200 and "Crowd a" in p.text and "Crowd b" in p.text for p in pages)
        bad = [re.findall(r"Unavailable: [^<]*", p.text) for p in pages if "1 CPU, 2 GB" not in p.text or "1 GPU" not in p.text]
        assert not bad, f"{len(bad)} forms without both flavor lists: {bad[:3]}"
        after = {name: flavor_requests(o) for name, o in two_outposts.items()}
        assert {name: after[name] - before[name] for name in after} == {"a": 1, "b": 1}
    finally:
        hub.stop()
