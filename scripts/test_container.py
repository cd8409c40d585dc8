#!/usr/bin/python3
"""Tests the container image with Podman, without a registry.

Makes a Debian 12 base image with debootstrap (cached in /var/tmp), builds the image on it
(scripts/build-image), runs it on the host network bound to 127.0.0.1, and checks /ping, the hub API,
an SSH local forward through the container's sshd, that the forward-only account refuses commands,
PTYs and other destinations, that the host key is made at first start and kept across a restart, that
a container started as root still runs everything as uid 1000, and that the chart's two-container
layout works without capabilities. Then it builds the spawner-host variant (build-image
--spawner-host) and deploy/README.md's site example on top of it, and talks to the spawner host in both.

A pytest module, one test per check; the checks build on each other through module-scoped fixtures
(the image, the running containers), so they run in file order and a fixture that fails turns the tests
that need it into errors. `python3 -m pytest scripts/test_container.py --junitxml=FILE` (as scripts/test
runs it), or run this file, which runs pytest on itself (with RESULTS_DIR set, writing
RESULTS_DIR/container.xml). The image sizes are recorded as properties in the JUnit file.

Needs root (apt-get, podman); installs podman, runc, debootstrap, openssh-client when missing.
Removes its containers and volumes; keeps the images, the base image and the debootstrap cache, so the
next run is faster. Environment: CLEAN=1 also removes the images at the end; OUTPOST_BASE_CACHE (default
/var/tmp/outpost-container) is where the debootstrap tarball is cached; OUTPOST_TEST_IMAGE (default
localhost/outpost:test; the variants add -spawner and -site to it) and OUTPOST_TEST_NAME (default
outpost-test; the process id is added) name what the run makes, so runs side by side do not meet.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugin/tests/e2e"))
from loopback import basic_auth, free_port, port_open, wait_until  # noqa: E402  (the one loopback toolbox)

CACHE = Path(os.environ.get("OUTPOST_BASE_CACHE", "/var/tmp/outpost-container"))
BASE = "localhost/outpost-base:bookworm"
IMAGE = os.environ.get("OUTPOST_TEST_IMAGE", "localhost/outpost:test")  # kept, so the next build reuses its apt layer
SPAWNER_IMAGE, SITE_IMAGE = IMAGE + "-spawner", IMAGE + "-site"  # kept too
NAME = f"{os.environ.get('OUTPOST_TEST_NAME', 'outpost-test')}-{os.getpid()}"
HUB_PASSWORD = "test-" + os.urandom(8).hex() + "-password"
SITE_EXAMPLE = ROOT / "deploy/container/site-spawner"
STARTS_WITHIN = 60  # seconds for a container's ports to answer, with margin for a loaded machine


def install_missing():
    wanted = {"podman": "podman", "runc": "runc", "debootstrap": "debootstrap", "ssh": "openssh-client", "curl": "curl"}
    missing = [package for tool, package in wanted.items() if not shutil.which(tool)]
    if missing:
        print("installing " + " ".join(missing), file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


install_missing()
SCRATCH = Path(tempfile.mkdtemp(prefix="outpost-container."))
# crun cannot run here (hybrid cgroups) and the default ulimits are above this machine's limits.
(SCRATCH / "containers.conf").write_text(
    '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n')
os.environ["CONTAINERS_CONF"] = str(SCRATCH / "containers.conf")


# --- helpers ----------------------------------------------------------------------------------------
def run(*command, timeout=120, check=True, **kwargs):
    """Runs a command; returns stdout. With check, a non-zero exit fails with the end of its stderr."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and done.returncode:
        raise AssertionError(f"{' '.join(map(str, command[:3]))} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
    return done.stdout


def podman(*args, **kwargs):
    return run("podman", *args, **kwargs)


def container_log(name):
    """What the container printed, stdout and stderr interleaved."""
    return subprocess.run(["podman", "logs", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=60).stdout


def remove_container(name):
    podman("rm", "-f", "-v", "-t", "2", name, check=False)


def image_id(image):
    return podman("image", "inspect", "--format", "{{.Id}}", image, check=False).strip()


def image_size(image):
    return f"{int(podman('image', 'inspect', '--format', '{{.Size}}', image).strip()) // 1_000_000} MB"


BUILD_SECONDS = {}  # image -> how long its build took, recorded by the test that checks the build


def build(image, command, log):
    """Builds an image; the previous build's own layers go (the shared ones stay in the newer image)."""
    previous = image_id(image)
    started = time.monotonic()
    with open(log, "w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=1800,
                              env=dict(os.environ, ENGINE="podman", BASE_IMAGE=BASE, BUILD_NETWORK="host"))
    assert done.returncode == 0, f"{image} did not build:\n" + "\n".join(Path(log).read_text().splitlines()[-20:])
    BUILD_SECONDS[image] = round(time.monotonic() - started)
    if previous and previous != image_id(image):
        podman("rmi", previous, check=False)


def http_get(url, timeout=5, auth=None):
    request = urllib.request.Request(url, headers={"Authorization": auth} if auth else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


def wait_for_ports(http_port, ssh_port, name):
    try:
        wait_until(lambda: http_get(f"http://127.0.0.1:{http_port}/ping"), STARTS_WITHIN, what=f"{name}'s /ping")
        wait_until(lambda: port_open(ssh_port), STARTS_WITHIN, what=f"{name}'s sshd")
    except TimeoutError as e:
        raise AssertionError(f"{e}\n{container_log(name)[-3000:]}") from None


def host_key(container):
    return podman("exec", container, "cat", "/var/lib/outpost/ssh/ssh_host_ed25519_key.pub").split()[:2]


class Ssh:
    """The ssh client's options for one container's sshd: our key, its pinned host key, no prompts."""

    def __init__(self, keys, port, container):
        self.port = port
        known_hosts = SCRATCH / f"known_hosts-{port}"
        known_hosts.write_text(f"[127.0.0.1]:{port} {' '.join(host_key(container))}\n")
        self.options = ["-p", str(port), "-i", str(keys), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                        "-o", "ConnectTimeout=5", "-o", f"UserKnownHostsFile={known_hosts}",
                        "-o", "StrictHostKeyChecking=yes", "-o", "ExitOnForwardFailure=yes"]

    def run(self, *args, user="jhuboutpost", timeout=30):
        """ssh's exit code and output; a session still open after the timeout counts as accepted (code None)."""
        try:
            done = subprocess.run(["ssh", *self.options, *args, f"{user}@127.0.0.1"], stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout)
            return done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as e:
            output = e.stdout or ""
            return None, output.decode(errors="replace") if isinstance(output, bytes) else output

    def forward_ping(self, http_port):
        """GET /ping through `ssh -L` to the Outpost at http_port."""
        local = free_port()
        forward = subprocess.Popen(["ssh", *self.options, "-N", "-L", f"127.0.0.1:{local}:127.0.0.1:{http_port}",
                                    "jhuboutpost@127.0.0.1"], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: port_open(local) or forward.poll() is not None, 30, what="the forward")
            assert forward.poll() is None, f"ssh -L ended: {forward.stderr.read().decode()}"
            return http_get(f"http://127.0.0.1:{local}/ping")
        finally:
            forward.kill()
            forward.wait()


def start_outpost(name, http_port, ssh_port, authorized_keys, *extra):
    podman("run", "-d", "--name", name, "--network=host", "--read-only",
           "-v", f"{authorized_keys}:/etc/outpost/authorized_keys:ro",
           "-e", f"ASPNETCORE_URLS=http://127.0.0.1:{http_port}",
           "-e", "OUTPOST_SSH_LISTEN=127.0.0.1", "-e", f"OUTPOST_SSH_PORT={ssh_port}",
           "-e", f"OUTPOST_SSH_PERMIT_OPEN=127.0.0.1:{http_port}",
           "-e", f"Outpost__Hubs__testhub__Password={HUB_PASSWORD}", *extra, IMAGE)
    wait_for_ports(http_port, ssh_port, name)


# --- the spawner host in a container, as the Outpost's Spawner backend runs it ---------------------------
class StandInHub(BaseHTTPRequestHandler):
    """All jupyterhub-singleuser asks the hub at start: its version."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("X-JupyterHub-Version", "3.0.0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def start_stand_in_hub():
    hub = ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    return hub


def singleuser_env(hub_port, port, service_url):
    prefix = "/user/alice/"
    env = {"JUPYTERHUB_USER": "alice", "JUPYTERHUB_API_TOKEN": "token", "JUPYTERHUB_BASE_URL": "/",
           "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub_port}/hub/api",
           "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice", "JUPYTERHUB_SERVICE_PREFIX": prefix,
           "JUPYTERHUB_OAUTH_CALLBACK_URL": prefix + "oauth_callback"}
    if service_url:
        env["JUPYTERHUB_SERVICE_URL"] = f"http://127.0.0.1:{port}{prefix}"
    return env


def server_api(port):
    """What a started server's /user/alice/api answers, once it answers (within 30 s)."""
    return wait_until(lambda: http_get(f"http://127.0.0.1:{port}/user/alice/api", timeout=2), 30,
                      interval=0.2, what="the single-user server")


class SpawnerHost:
    """The spawner host in IMAGE (its user, read-only root) with config_dir as /etc/outpost, spoken to over
    stdin/stdout; killed after 60 s whatever happens."""

    def __init__(self, image, config_dir):
        self.process = subprocess.Popen(
            ["podman", "run", "-i", "--rm", "--network=host", "--read-only", "-v", f"{config_dir}:/etc/outpost:ro",
             "-e", "PYTHONPATH=/opt/outpost/spawnerhost", "--entrypoint", "/usr/bin/python3", image,
             "-m", "outpost_spawnerhost", "--config", "/etc/outpost/outpost_config.py"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.timer = threading.Timer(60, self.process.kill)
        self.timer.daemon = True
        self.timer.start()

    def ask(self, request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            message = json.loads(line)
            if message.get("id") == request["id"]:
                return message
        raise AssertionError(f"the spawner host ended without answering: {self.process.stderr.read()[-2000:]}")

    def close(self):
        self.process.stdin.close()
        code = self.process.wait()
        self.timer.cancel()
        assert code == 0, f"the spawner host ended with {code}: {self.process.stderr.read()[-2000:]}"


def ask(image, config_dir, *requests):
    host = SpawnerHost(image, config_dir)
    try:
        return [host.ask(r) for r in requests]
    finally:
        host.close()


# --- fixtures: what the checks build on ----------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def scratch():
    yield SCRATCH
    if os.environ.get("CLEAN", "0") != "0":
        for image in (SITE_IMAGE, SPAWNER_IMAGE, IMAGE, BASE):
            podman("rmi", "-f", image, check=False)
    shutil.rmtree(SCRATCH, ignore_errors=True)


@pytest.fixture(scope="module")
def base_image():
    """debootstrap minbase, cached as a tarball, imported once."""
    if image_id(BASE):
        return BASE
    tarball = CACHE / "bookworm-minbase.tar"
    if not tarball.is_file() or tarball.stat().st_size == 0:
        CACHE.mkdir(parents=True, exist_ok=True)
        mirror = debian_mirror()
        print(f"debootstrap bookworm from {mirror} (slow the first time; cached in {CACHE})", file=sys.stderr)
        shutil.rmtree(CACHE / "rootfs", ignore_errors=True)
        run("debootstrap", "--variant=minbase", "bookworm", CACHE / "rootfs", mirror, timeout=1800)
        run("tar", "-C", CACHE / "rootfs", "-cf", f"{tarball}.new", ".", timeout=600)
        os.replace(f"{tarball}.new", tarball)
        shutil.rmtree(CACHE / "rootfs", ignore_errors=True)
    podman("import", "--change", 'CMD ["/bin/bash"]', tarball, BASE, timeout=600)
    return BASE


def debian_mirror():
    """The mirror this machine's apt uses (deb822 sources first, then one-line ones)."""
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*.list"))]:
        for line in path.read_text().splitlines() if path.is_file() else []:
            if line.split()[:1] == ["deb"]:
                return line.split()[1]
    raise AssertionError("no Debian mirror in /etc/apt")


@pytest.fixture(scope="module")
def image(base_image):
    build(IMAGE, [ROOT / "scripts/build-image", IMAGE], SCRATCH / "build.log")
    return IMAGE


@pytest.fixture(scope="module")
def client_key():
    key = SCRATCH / "client_key"
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "outpost-test", "-f", key)
    authorized = SCRATCH / "authorized_keys"
    shutil.copy(f"{key}.pub", authorized)
    authorized.chmod(0o644)
    return key


@pytest.fixture(scope="module")
def outpost(image, client_key):
    """The image as one container with its state volume; (http port, Ssh)."""
    name, http_port, ssh_port = NAME, free_port(), free_port()
    try:
        start_outpost(name, http_port, ssh_port, SCRATCH / "authorized_keys", "-v", f"{NAME}-state:/var/lib/outpost")
        yield name, http_port, Ssh(client_key, ssh_port, name)
    finally:
        remove_container(name)
        podman("volume", "rm", "-f", f"{NAME}-state", check=False)


@pytest.fixture(scope="module")
def root_outpost(image, client_key):
    """The image started with --user 0."""
    name, http_port, ssh_port = f"{NAME}-root", free_port(), free_port()
    try:
        start_outpost(name, http_port, ssh_port, SCRATCH / "authorized_keys", "--user", "0")
        yield name
    finally:
        remove_container(name)


@pytest.fixture(scope="module")
def chart_pod(image, client_key):
    """The chart's pod: the same image as two containers (`outpost serve` and `sshd`) sharing the data volume,
    all capabilities dropped, the config file from a ConfigMap, authorized_keys from a Secret folder
    (Kubernetes' ..data symlink layout). (http port, Ssh)."""
    app, sshd, volume = f"{NAME}-pod-app", f"{NAME}-pod-sshd", f"{NAME}-pod-state"
    http_port, ssh_port = free_port(), free_port()
    config, secret = SCRATCH / "config", SCRATCH / "secret"
    (secret / "..2026_01_01").mkdir(parents=True)
    config.mkdir()
    (config / "config.yaml").write_text("Outpost: {}\n")
    shutil.copy(f"{client_key}.pub", secret / "..2026_01_01/authorized_keys")
    (secret / "..data").symlink_to("..2026_01_01")
    (secret / "authorized_keys").symlink_to("..data/authorized_keys")
    run("chmod", "-R", "a+rX", config, secret)
    pod = ["--network=host", "--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges",
           "-v", f"{volume}:/var/lib/outpost"]
    try:
        podman("run", "-d", "--name", app, *pod, "-v", f"{config}:/etc/outpost/config:ro",
               "-e", "OUTPOST_CONFIG=/etc/outpost/config/config.yaml", "-e", f"ASPNETCORE_URLS=http://127.0.0.1:{http_port}",
               "-e", "Outpost__DataDir=/var/lib/outpost/data", IMAGE, "outpost", "serve")
        podman("run", "-d", "--name", sshd, *pod, "-v", f"{secret}:/etc/outpost/authorized_keys:ro",
               "-e", "OUTPOST_SSH_LISTEN=127.0.0.1", "-e", f"OUTPOST_SSH_PORT={ssh_port}",
               "-e", f"OUTPOST_SSH_PERMIT_OPEN=127.0.0.1:{http_port}", IMAGE, "sshd")
        wait_for_ports(http_port, ssh_port, app)
        yield http_port, Ssh(client_key, ssh_port, sshd)
    finally:
        remove_container(app)
        remove_container(sshd)
        podman("volume", "rm", "-f", volume, check=False)


@pytest.fixture(scope="module")
def spawner_image(base_image):
    build(SPAWNER_IMAGE, [ROOT / "scripts/build-image", "--spawner-host", SPAWNER_IMAGE], SCRATCH / "build-spawner.log")
    return SPAWNER_IMAGE


@pytest.fixture(scope="module")
def spawner_config():
    """A config folder: the spawner host with LocalProcessSpawner, and a broken config file beside it."""
    folder = SCRATCH / "spawner-config"
    folder.mkdir()
    (folder / "outpost_config.py").write_text(
        "from jupyterhub.spawner import LocalProcessSpawner\n\n"
        "c.JupyterHubOutpost.spawner_class = LocalProcessSpawner\nc.LocalProcessSpawner.ip = \"127.0.0.1\"\n")
    (folder / "broken_config.py").write_text(
        "c.JupyterHubOutpost.spawner_class = (\n\nc.LocalProcessSpawner.ip = \"127.0.0.1\"\n")
    run("chmod", "-R", "a+rX", folder)
    return folder


@pytest.fixture(scope="module")
def readme_config():
    """README.md's example configuration: a single-user server inside the container."""
    folder = SCRATCH / "readme-config"
    folder.mkdir()
    (folder / "outpost_config.py").write_text(
        "from jupyterhub.spawner import SimpleLocalProcessSpawner\n\n"
        "c.JupyterHubOutpost.spawner_class = SimpleLocalProcessSpawner\n")
    run("chmod", "-R", "a+rX", folder)
    return folder


@pytest.fixture(scope="module")
def spawner_answers(spawner_image, spawner_config):
    """The spawner host's answers to hello, check, and check of the broken file, as compact JSON."""
    answers = ask(spawner_image, spawner_config, {"id": 1, "op": "hello"}, {"id": 2, "op": "check"},
                  {"id": 3, "op": "check", "config_file": "/etc/outpost/broken_config.py"})
    return [json.dumps(a, sort_keys=True, separators=(",", ":")) for a in answers]


@pytest.fixture(scope="module")
def site_image(spawner_image):
    previous = image_id(SITE_IMAGE)
    started = time.monotonic()
    output = podman("build", "--network=host", "--from", spawner_image, "-t", SITE_IMAGE, SITE_EXAMPLE, timeout=1800)
    assert image_id(SITE_IMAGE), output[-2000:]
    BUILD_SECONDS[SITE_IMAGE] = round(time.monotonic() - started)
    if previous and previous != image_id(SITE_IMAGE):
        podman("rmi", previous, check=False)
    return SITE_IMAGE


def runs_as_uid(image):
    return podman("run", "--rm", "--network=none", "--entrypoint", "/usr/bin/id", image, "-u").strip()


# --- the image ---------------------------------------------------------------------------------------------
def test_image_builds_from_a_local_debian_base(image, record_testsuite_property):
    assert image_id(image)
    record_testsuite_property("image build seconds", BUILD_SECONDS[image])
    record_testsuite_property("image size", image_size(image))


def test_no_sshd_host_key_in_the_image(image):
    found = podman("run", "--rm", "--network=none", "--entrypoint", "/bin/sh", image, "-c",
                   "ls /etc/ssh/ssh_host_* 2>/dev/null; echo listed")
    assert found.strip() == "listed"


def test_container_starts_read_only_root_uid_1000(outpost):
    name, _, _ = outpost
    assert podman("inspect", "--format", "{{.State.Running}}", name).strip() == "true"


def test_get_ping_answers_pong(outpost):
    _, http_port, _ = outpost
    assert "pong" in http_get(f"http://127.0.0.1:{http_port}/ping")


def test_hub_credentials_from_the_environment_work(outpost):
    _, http_port, _ = outpost
    servers = http_get(f"http://127.0.0.1:{http_port}/services", auth=basic_auth("testhub", HUB_PASSWORD))
    assert servers.strip() == "[]"


# --- the forward-only sshd -----------------------------------------------------------------------------
def test_ssh_local_forward_through_the_containers_sshd_reaches_the_outpost(outpost):
    _, http_port, ssh = outpost
    assert "pong" in ssh.forward_ping(http_port)


def test_a_command_over_ssh_is_refused(outpost):
    _, _, ssh = outpost
    _, output = ssh.run("id")
    assert "uid=" not in output


def test_a_pty_over_ssh_is_refused(outpost):
    _, _, ssh = outpost
    _, output = ssh.run("-tt", "id")
    assert "uid=" not in output


def test_a_forward_outside_outpost_ssh_permit_open_is_refused(outpost):
    _, _, ssh = outpost
    _, output = ssh.run("-W", f"127.0.0.1:{ssh.port}", timeout=15)
    assert "SSH-" not in output  # the sshd's own banner would come back through an allowed forward


def test_a_remote_forward_is_refused(outpost):
    _, http_port, ssh = outpost
    code, output = ssh.run("-N", "-R", f"127.0.0.1:{free_port()}:127.0.0.1:{http_port}")
    assert code not in (0, None), output


def test_another_user_is_refused(outpost):
    _, http_port, ssh = outpost
    code, output = ssh.run("-N", "-W", f"127.0.0.1:{http_port}", user="root")
    assert code not in (0, None), output


def test_host_key_survives_a_restart_and_the_forward_works_again(outpost):
    # The pinned known_hosts of the first start must still match.
    name, http_port, ssh = outpost
    podman("restart", "-t", "5", name)
    wait_for_ports(http_port, ssh.port, name)
    assert "pong" in ssh.forward_ping(http_port)


# --- started as root ---------------------------------------------------------------------------------------
def test_started_as_root_the_outpost_and_sshd_run_as_uid_1000(root_outpost):
    top = podman("top", root_outpost, "user,args").splitlines()
    assert any(re.search(r"jhuboutpost.*Outpost serve", line) for line in top), top
    assert any(re.search(r"jhuboutpost.*sshd", line) for line in top), top
    assert not any(re.match(r"root .*(Outpost|sshd)", line) for line in top), top


def test_a_fresh_volume_gets_its_own_host_key(root_outpost, outpost):
    assert host_key(root_outpost) != host_key(outpost[0])


# --- the chart's two-container layout ----------------------------------------------------------------------
def test_chart_layout_outpost_and_sshd_containers_without_capabilities_and_a_config_file(chart_pod):
    http_port, _ = chart_pod
    assert "pong" in http_get(f"http://127.0.0.1:{http_port}/ping")


def test_chart_layout_get_health_is_healthy(chart_pod):
    http_port, _ = chart_pod
    assert "Healthy" in http_get(f"http://127.0.0.1:{http_port}/health")


def test_chart_layout_forward_through_the_sshd_container_with_keys_from_a_secret_folder(chart_pod):
    http_port, ssh = chart_pod
    assert "pong" in ssh.forward_ping(http_port)


# --- the spawner-host variant and a site's image on top of it --------------------------------------------
def test_the_default_image_has_no_python(image):
    found = podman("run", "--rm", "--network=none", "--entrypoint", "/bin/sh", image, "-c",
                   "command -v python3; echo looked")
    assert found.strip() == "looked"


def test_spawner_host_variant_builds(spawner_image, record_testsuite_property):
    assert image_id(spawner_image)
    record_testsuite_property("spawner-host variant build seconds", BUILD_SECONDS[spawner_image])
    record_testsuite_property("spawner-host variant size", image_size(spawner_image))


def test_the_variant_runs_as_uid_1000(spawner_image):
    assert runs_as_uid(spawner_image) == "1000"


def test_spawner_host_answers_in_the_variant_read_only_root(spawner_answers):
    assert len(spawner_answers) == 3


def answer_has(answer, *patterns):
    for pattern in patterns:
        assert re.search(pattern, answer), f"{pattern} not in {answer}"


def test_spawner_host_hello_answers_protocol_1_and_jupyterhub_3_0_0(spawner_answers):
    answer_has(spawner_answers[0], r'"ok":true', r'"protocol":1[,}]', r'"jupyterhub":"3\.0\.0"')


def test_spawner_host_check_answers_the_configured_class(spawner_answers):
    answer_has(spawner_answers[1], r'"ok":true', r'"spawner_class":"jupyterhub\.spawner\.LocalProcessSpawner"')


def test_spawner_host_a_syntax_error_is_a_config_file_error_naming_file_and_line(spawner_answers):
    answer_has(spawner_answers[2], r'"ok":false', r'"class":"ConfigFileError"',
               r'"message":"/etc/outpost/broken_config\.py, line 1: SyntaxError')


def test_spawner_host_simple_local_process_spawner_starts_a_server_in_the_variant_and_stops_it(spawner_image, readme_config):
    hub, port = start_stand_in_hub(), free_port()
    host = SpawnerHost(spawner_image, readme_config)
    try:
        spec = {"hub": "testhub", "name": "", "start_id": "1", "env": singleuser_env(hub.server_address[1], port, False),
                "user_options": {}, "misc": {"port": port}, "flavor": None, "certs": None, "trust_bundles": {},
                "auth_state": {}, "work_dir": ""}
        started = json.dumps(host.ask({"id": 1, "op": "start", "server": "s1", "spec": spec}), separators=(",", ":"))
        api = server_api(port)
        host.ask({"id": 2, "op": "stop", "server": "s1", "now": True})
    finally:
        host.close()
        hub.shutdown()
    assert re.search(r'"address":"127\.0\.0\.1:[0-9]*"', started), started
    assert '"version"' in api


def test_readme_example_the_outpost_in_the_variant_starts_and_stops_a_server_with_the_spawner_backend(spawner_image, readme_config):
    name, http_port = f"{NAME}-spawner", free_port()
    url, auth = f"http://127.0.0.1:{http_port}", basic_auth("testhub", HUB_PASSWORD)
    hub, port = start_stand_in_hub(), free_port()
    try:
        podman("run", "-d", "--name", name, "--network=host", "--read-only", "-v", f"{readme_config}:/etc/outpost:ro",
               "-e", f"ASPNETCORE_URLS={url}", "-e", "Outpost__Backends__Spawner__ConfigFile=/etc/outpost/outpost_config.py",
               "-e", "Outpost__Backends__Default=Spawner", "-e", f"Outpost__Hubs__testhub__Password={HUB_PASSWORD}",
               spawner_image, "outpost", "serve")
        wait_until(lambda: http_get(f"{url}/ping"), STARTS_WITHIN, what="the Outpost's /ping")
        body = {"name": "", "env": singleuser_env(hub.server_address[1], port, True), "user_options": {"start_id": "1"},
                "misc": {"port": port}}
        start = urllib.request.Request(f"{url}/services", json.dumps(body).encode(), method="POST",
                                       headers={"Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(start, timeout=120) as response:
            started = response.read().decode()
        api = server_api(port)
        stop = urllib.request.Request(f"{url}/services//1", method="DELETE", headers={"Authorization": auth})
        with urllib.request.urlopen(stop, timeout=120) as response:
            stopped = response.status
        log = container_log(name)
        assert re.search(r'"service":"127\.0\.0\.1:[0-9]*"', started), started
        assert '"version"' in api
        assert stopped == 200
        assert "Spawner backend Spawner runs jupyterhub.spawner.SimpleLocalProcessSpawner" in log, log[-3000:]
    except BaseException:
        # What a person needs to see why.
        print("--- the Outpost's log\n" + container_log(name)[-4000:])
        raise
    finally:
        hub.shutdown()
        remove_container(name)


def test_deploy_readme_shows_the_site_examples_files_as_they_are():
    readme = (ROOT / "deploy/README.md").read_text()
    for name in ("Dockerfile", "sitespawner.py", "outpost_config.py"):
        with open(SITE_EXAMPLE / name) as f:
            text = "".join("    " + line if line.strip() else line for line in f)
        assert text in readme, f"{name} differs from its copy in deploy/README.md"


def test_the_site_example_builds_on_the_variant(site_image, record_testsuite_property):
    assert image_id(site_image)
    record_testsuite_property("site example build seconds", BUILD_SECONDS[site_image])


def test_the_site_examples_image_runs_as_uid_1000(site_image):
    assert runs_as_uid(site_image) == "1000"


def test_spawner_host_in_the_site_example_check_answers_its_class_and_trait(site_image):
    folder = SCRATCH / "site-config"
    folder.mkdir(exist_ok=True)
    shutil.copy(SITE_EXAMPLE / "outpost_config.py", folder)
    run("chmod", "-R", "a+rX", folder)
    (answer,) = ask(site_image, folder, {"id": 1, "op": "check"})
    compact = json.dumps(answer, sort_keys=True, separators=(",", ":"))
    assert '"spawner_class":"sitespawner.SiteSpawner"' in compact, compact
    assert '"site_name"' in compact, compact


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("RESULTS_DIR"):
        args.append(f"--junitxml={os.environ['RESULTS_DIR']}/container.xml")
    sys.exit(pytest.main(args))
