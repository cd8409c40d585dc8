"""Real JupyterHub 3.0 + outpostspawner + an Outpost on the container backend: each server is a container on a
real Podman (its Docker-compatible API on a private socket, host network), reached through the hub's ssh tunnel.
The image is the C# tests' tiny one (host binaries + python3 + their fake single-user server), imported, no registry."""
from __future__ import annotations

import hashlib
import os
import subprocess

import pytest
import requests

from harness import HUB_EXTRA_CONFIG, HUB_PASSWORDS, Hub, Proc, REPO, port_open, start_outpost, wait_until
from test_e2e import read_progress, stop_server, tunnel_of

ASSETS = REPO / "tests" / "Outpost.IntegrationTests" / "Assets"
IMAGE_SCRIPT = ASSETS / "containers" / "make-test-image.sh"
FAKE_SERVER = ASSETS / "fake_singleuser.py"
INSTANCE = f"e2e-containers-{os.getpid()}"
LABEL = "org.jupyterhub.outpost.instance"


def podman(env, *args, check=True) -> str:
    return subprocess.run(["podman", *args], env=env, check=check, capture_output=True, text=True, timeout=120).stdout


@pytest.fixture(scope="module")
def engine(workdir):
    d = workdir / "containers"
    d.mkdir()
    conf = d / "containers.conf"
    # crun cannot run in this sandbox (hybrid cgroups) and the default ulimits are above its limits.
    conf.write_text('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
                    '[engine]\nruntime = "runc"\n')
    env = dict(os.environ, CONTAINERS_CONF=str(conf))
    # The same tag as the C# tests' fixture (hash of what goes into the image), so one import serves both.
    digest = hashlib.sha256(IMAGE_SCRIPT.read_bytes() + FAKE_SERVER.read_bytes()).hexdigest()[:12]
    image = f"localhost/outpost-containers-test:{digest}"
    if subprocess.run(["podman", "image", "exists", image], env=env).returncode != 0:
        subprocess.run([str(IMAGE_SCRIPT), str(d), image, str(FAKE_SERVER)], env=env, check=True, timeout=300)
    socket = d / "podman.sock"
    service = Proc(["podman", "system", "service", "--time=0", f"unix://{socket}"], d / "service.log", env=env)
    wait_until(socket.exists, 60, what="podman service socket")
    yield {"endpoint": f"unix://{socket}", "image": image, "env": env}
    for name in podman(env, "ps", "-a", "--filter", f"label={LABEL}={INSTANCE}", "--format", "{{.Names}}", check=False).split():
        podman(env, "rm", "-f", name, check=False)
    service.stop()


@pytest.fixture(scope="module")
def container_outpost(workdir, engine):
    outpost = start_outpost(workdir, "outpost-containers", HUB_PASSWORDS, {
        "Outpost__Backends__Default": "Containers",
        "Outpost__Backends__Containers__Endpoint": engine["endpoint"],
        "Outpost__Backends__Containers__Image": engine["image"],
        "Outpost__Backends__Containers__InstanceName": INSTANCE,
        "Outpost__Backends__Containers__Command__0": "/usr/bin/python3",
        "Outpost__Backends__Containers__Command__1": "/opt/fake_singleuser.py",
        "Outpost__Backends__Containers__User": "1000:1000",
        "Outpost__Backends__Containers__StopGraceSeconds": "2",
    })
    yield outpost
    outpost["proc"].stop()


@pytest.fixture(scope="module")
def hub_c(workdir, container_outpost, sshd):
    (workdir / "containers-hub").mkdir(exist_ok=True)
    hub = Hub("hub1", workdir / "containers-hub", container_outpost, sshd, extra=HUB_EXTRA_CONFIG)
    hub.start()
    assert hub.api("POST", "/users/carla").status_code in (201, 409)
    yield hub
    try:
        hub.api("DELETE", hub.server_path("carla", ""))
        hub.wait_gone("carla", "", 30)
    except Exception:
        pass
    hub.stop()


def containers(engine) -> list[str]:
    return podman(engine["env"], "ps", "-a", "--filter", f"label={LABEL}={INSTANCE}",
                  "--filter", "label=org.jupyterhub.outpost.user=carla", "--format", "{{.Names}}").split()


def test_server_in_a_container_through_the_tunnel(hub_c, engine):
    r = hub_c.api("POST", hub_c.server_path("carla", ""), json={})
    assert r.status_code in (201, 202), r.text
    events = read_progress(hub_c, "carla", "")
    assert events and events[-1].get("ready"), f"spawn did not become ready: {events}\n{hub_c.proc.tail()}"
    messages = [str(e.get("message", "")) for e in events]
    assert any(m.startswith("Creating container jupyter-hub1-carla-") for m in messages), messages
    hub_c.wait_ready("carla", "")

    # The fake server in the container answers through the hub's proxy and the ssh forward.
    r = requests.get(hub_c.user_url("carla", ""), headers={"Authorization": f"token {hub_c.token}"}, timeout=20)
    assert r.status_code == 200 and r.json() == {"version": "fake"}
    local, remote = tunnel_of(hub_c, "carla", "")
    assert local != remote and port_open(remote)
    [name] = containers(engine)
    assert name.startswith("jupyter-hub1-carla-")

    stop_server(hub_c, "carla", "")
    wait_until(lambda: not containers(engine), 30, what="the server's container removed")
    assert not port_open(remote)
