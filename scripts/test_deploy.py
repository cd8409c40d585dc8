#!/usr/bin/python3
"""Tests the Helm chart (deploy/helm/outpost) and the plain manifests (deploy/kubernetes) offline.

Helm is not packaged for Debian 12, so the chart is rendered by scripts/helm-template (Go
text/template + sprig, as Helm does; see that file for what it leaves out), or by `helm` when it is
installed, which also runs `helm lint`. Checks:
  - deploy/kubernetes is exactly the chart's defaults rendered (scripts/render-manifests);
  - `kubectl kustomize deploy/kubernetes` builds, also into another namespace;
  - every rendered object exists in the Kubernetes API model with valid fields (check-manifests.py);
  - the contract: names, ports, RBAC rules, security settings, for the defaults and for variants
    (replicas, hubs, sshd off, backend off, egress rules, another server namespace);
  - values that cannot work are refused with a message;
  - the Zero-to-JupyterHub recipe (docs/examples/z2jh): the Outpost side renders with this chart and
    is valid, the hub's Secret and RBAC are valid objects, the hub values (hub.config, loadRoles,
    extraVolumes/extraEnv as a pod would get them, extraConfig) fit together and declare valid
    systems, and the Dockerfile installs the wheel scripts/build-plugin makes. (A real JupyterHub
    loads the hub snippet in plugin/tests/e2e/test_e2e_systems.py.)
Installs what it needs (golang-go and two Go libraries, python3-kubernetes, kubectl) when missing.
A pytest module, one test per check: `python3 -m pytest scripts/test_deploy.py --junitxml=FILE` (as scripts/test
runs it), or run this file, which runs pytest on itself (with RESULTS_DIR set, writing RESULTS_DIR/deploy.xml).
"""
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy/helm/outpost"
PLAIN = ROOT / "deploy/kubernetes"
HEADER = "# Rendered from deploy/helm/outpost"
CASES = []  # (name, check): each becomes one test of test_deploy below


def install_missing():
    packages = []
    if not shutil.which("go"):
        packages.append("golang-go")
    if not Path("/usr/share/gocode/src/github.com/Masterminds/sprig").is_dir():
        packages.append("golang-github-masterminds-sprig-dev")
    if not Path("/usr/share/gocode/src/github.com/ghodss/yaml").is_dir():
        packages.append("golang-github-ghodss-yaml-dev")
    if subprocess.run(["/usr/bin/python3", "-c", "import kubernetes, yaml"], capture_output=True).returncode:
        packages += ["python3-kubernetes", "python3-yaml"]
    if not shutil.which("kubectl"):
        packages.append("kubernetes-client")
    if packages:
        print("installing " + " ".join(packages), file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], check=True, env=env)


install_missing()
import yaml  # noqa: E402  (installed above when missing)

sys.path.insert(0, str(ROOT / "scripts"))
check_manifests = __import__("check-manifests")
HELM = shutil.which("helm")
TOOL = ROOT / "artifacts/helm-template/helm-template"


def case(name, function):
    CASES.append((name, function))


def build_tool():
    TOOL.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=str(TOOL.parent / "cache"))
    subprocess.run(["go", "build", "-o", str(TOOL), "./scripts/helm-template"], cwd=ROOT, env=env, check=True)


def render(values=None, service="Helm", out=None, namespace="outpost"):
    """Renders the chart; returns {template file name: [objects]} (and writes files into out)."""
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        if values is not None:
            path = Path(tmp, "values.yaml")
            path.write_text(yaml.safe_dump(values))
            args = ["-f", str(path)]
        target = Path(out or Path(tmp, "out"))
        if HELM and service == "Helm":
            text = run([HELM, "template", "outpost", str(CHART), "--namespace", "outpost", *args])
            docs = {}
            for doc in text.split("\n---\n"):
                source = next((line[10:] for line in doc.splitlines() if line.startswith("# Source: ")), None)
                if source:
                    docs.setdefault(os.path.basename(source), []).append(doc)
            target.mkdir(parents=True, exist_ok=True)
            for name, parts in docs.items():
                Path(target, name).write_text("---\n" + "\n---\n".join(parts) + "\n")
        else:
            run([str(TOOL), "-chart", str(CHART), "-name", "outpost", "-namespace", namespace,
                 "-service", service, "-out", str(target), *args])
        return {p.name: [d for d in yaml.safe_load_all(p.read_text()) if d] for p in sorted(target.glob("*.yaml"))}


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise AssertionError(f"{' '.join(command[:2])} failed: {done.stderr.strip()[-800:]}")
    return done.stdout


def objects(rendered):
    return [o for docs in rendered.values() for o in docs]


def find(rendered, kind, name):
    for o in objects(rendered):
        if o["kind"] == kind and o["metadata"]["name"] == name:
            return o
    raise AssertionError(f"no {kind}/{name}; have {sorted((o['kind'], o['metadata']['name']) for o in objects(rendered))}")


def absent(rendered, kind):
    names = [o["metadata"]["name"] for o in objects(rendered) if o["kind"] == kind]
    assert not names, f"unexpected {kind}: {names}"


def expect(actual, wanted, what):
    assert actual == wanted, f"{what}: expected {wanted!r}, got {actual!r}"


def validate(rendered):
    problems = []
    for name, docs in rendered.items():
        for doc in docs:
            problems += check_manifests.check(doc, name)
    assert not problems, "; ".join(problems)


def pod(rendered):
    return find(rendered, "Deployment", "outpost")["spec"]["template"]["spec"]


def container(rendered, name):
    found = [c for c in pod(rendered)["containers"] if c["name"] == name]
    assert found, f"no container {name}"
    return found[0]


def env(c):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


BACKEND_RULES = [
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["services", "secrets"], "verbs": ["create", "delete"]},
    {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["list", "watch"]},
]


# --- the plain manifests -----------------------------------------------------------------------
def plain_manifests_are_the_rendered_defaults():
    with tempfile.TemporaryDirectory() as tmp:
        render(service="kubectl", out=tmp, namespace="default")
        fresh = {p.name: p.read_text() for p in Path(tmp).glob("*.yaml")}
    committed = {}
    for p in PLAIN.glob("*.yaml"):
        text = p.read_text()
        if text.startswith(HEADER):
            committed[p.name] = "\n".join(l for l in text.splitlines() if not l.startswith("# Rendered from") and not l.startswith("# Edit the chart")) + "\n"
    expect(sorted(committed), sorted(fresh), "files in deploy/kubernetes (run scripts/render-manifests)")
    for name in fresh:
        assert committed[name] == fresh[name], f"deploy/kubernetes/{name} is stale: run scripts/render-manifests"
    listed = yaml.safe_load((PLAIN / "kustomization.yaml").read_text())["resources"]
    expect(sorted(listed), sorted(fresh), "kustomization.yaml resources")


def kustomize_builds():
    docs = [d for d in yaml.safe_load_all(run(["kubectl", "kustomize", str(PLAIN)])) if d]
    expect(len(docs), 10, "objects built by kustomize")
    problems = [p for d in docs for p in check_manifests.check(d, "kustomize")]
    assert not problems, "; ".join(problems)
    assert all(d["metadata"].get("namespace") == "outpost" for d in docs), "every object in namespace outpost"
    binding = next(d for d in docs if d["kind"] == "RoleBinding")
    expect(binding["subjects"][0]["namespace"], "outpost", "RoleBinding subject namespace")


def kustomize_into_another_namespace():
    # As kustomization.yaml says: a copy with another namespace, and an overlay with the transformer.
    copy = (PLAIN / "kustomization.yaml").read_text().replace("namespace: outpost", "namespace: elsewhere")
    overlay = ("resources:\n  - ../" + PLAIN.name + "\ntransformers:\n  - |-\n    apiVersion: builtin\n"
               "    kind: NamespaceTransformer\n    metadata:\n      name: namespace\n      namespace: elsewhere\n"
               "    setRoleBindingSubjects: allServiceAccounts\n")
    for how, text in (("copy", copy), ("overlay", overlay)):
        with tempfile.TemporaryDirectory(dir=ROOT / "deploy") as tmp:
            if how == "copy":
                for p in PLAIN.glob("*.yaml"):
                    shutil.copy(p, tmp)
            Path(tmp, "kustomization.yaml").write_text(text)
            docs = [d for d in yaml.safe_load_all(run(["kubectl", "kustomize", tmp])) if d]
        assert all(d["metadata"]["namespace"] == "elsewhere" for d in docs), f"{how}: every object in elsewhere"
        binding = next(d for d in docs if d["kind"] == "RoleBinding")
        expect(binding["subjects"][0]["namespace"], "elsewhere", f"{how}: RoleBinding subject namespace")


# --- the chart's defaults ----------------------------------------------------------------------
def defaults():
    r = render()
    validate(r)
    http = find(r, "Service", "outpost")["spec"]
    expect([(p["name"], p["port"], p["targetPort"]) for p in http["ports"]], [("http", 8080, "http")], "http Service ports")
    ssh = find(r, "Service", "outpost-ssh")["spec"]
    expect([(p["name"], p["port"], p["targetPort"]) for p in ssh["ports"]], [("ssh", 22, "ssh")], "ssh Service ports")
    outpost, sshd = container(r, "outpost"), container(r, "sshd")
    expect([(p["name"], p["containerPort"]) for p in outpost["ports"]], [("http", 8080)], "outpost ports")
    expect([(p["name"], p["containerPort"]) for p in sshd["ports"]], [("ssh", 2222)], "sshd ports")
    expect(outpost["livenessProbe"]["httpGet"]["path"], "/ping", "liveness path")
    expect(outpost["startupProbe"]["httpGet"]["path"], "/ping", "startup path")
    expect(outpost["readinessProbe"]["httpGet"]["path"], "/health", "readiness path")
    expect(env(outpost)["ASPNETCORE_URLS"], "http://0.0.0.0:8080", "ASPNETCORE_URLS")
    expect(env(sshd)["OUTPOST_SSH_PORT"], "2222", "OUTPOST_SSH_PORT")
    expect(env(sshd)["OUTPOST_SSH_PERMIT_OPEN"], "*:8888", "OUTPOST_SSH_PERMIT_OPEN")
    expect(find(r, "Role", "outpost")["rules"], BACKEND_RULES, "Kubernetes backend Role rules")
    binding = find(r, "RoleBinding", "outpost")
    expect(binding["roleRef"]["name"], "outpost", "RoleBinding roleRef")
    expect(binding["subjects"], [{"kind": "ServiceAccount", "name": "outpost", "namespace": "outpost"}], "RoleBinding subjects")
    absent(r, "PodDisruptionBudget")
    assert not any(o["metadata"]["name"].endswith("-leases") for o in objects(r)), "no Lease Role by default"
    spec = pod(r)
    expect(spec["serviceAccountName"], "outpost", "serviceAccountName")
    expect(spec["automountServiceAccountToken"], True, "token mounted for the Kubernetes backend")
    expect(find(r, "ServiceAccount", "outpost")["automountServiceAccountToken"], False, "ServiceAccount default")
    expect(spec["securityContext"]["runAsNonRoot"], True, "runAsNonRoot")
    expect(spec["securityContext"]["runAsUser"], 1000, "runAsUser")
    for c in (outpost, sshd):
        sc = c["securityContext"]
        expect(sc["readOnlyRootFilesystem"], True, f"{c['name']} readOnlyRootFilesystem")
        expect(sc["allowPrivilegeEscalation"], False, f"{c['name']} allowPrivilegeEscalation")
        expect(sc["capabilities"], {"drop": ["ALL"]}, f"{c['name']} capabilities")
    expect(find(r, "Deployment", "outpost")["spec"]["strategy"]["type"], "Recreate", "strategy with a RWO volume")
    expect(spec["volumes"][0]["persistentVolumeClaim"]["claimName"], "outpost-data", "data volume")
    find(r, "PersistentVolumeClaim", "outpost-data")
    expect(find(r, "Secret", "outpost-ssh")["stringData"], {"authorized_keys": ""}, "authorized_keys Secret")
    assert "outpost" not in [o["metadata"]["name"] for o in objects(r) if o["kind"] == "Secret"], "no empty credentials Secret"
    expect(yaml.safe_load(find(r, "ConfigMap", "outpost-config")["data"]["config.yaml"]), {"Outpost": {}}, "config file")
    policy = find(r, "NetworkPolicy", "outpost")["spec"]
    expect(policy["policyTypes"], ["Ingress"], "policy types")
    expect([rule["ports"][0]["port"] for rule in policy["ingress"]], ["http", "ssh"], "ingress ports")


# --- variants ----------------------------------------------------------------------------------
def replicas():
    r = render({
        "replicaCount": 3,
        "storage": {"provider": "Postgres", "connectionString": "Host=db;Database=outpost",
                    "encryptionKeyExistingSecret": "outpost-key"},
        "persistence": {"enabled": False},
        "sshd": {"hostKeys": {"existingSecret": "outpost-host-keys"}},
    })
    validate(r)
    deployment = find(r, "Deployment", "outpost")["spec"]
    expect(deployment["replicas"], 3, "replicas")
    expect(deployment["strategy"]["type"], "RollingUpdate", "strategy")
    expect(find(r, "PodDisruptionBudget", "outpost")["spec"]["minAvailable"], 1, "PDB minAvailable")
    expect([o["metadata"]["name"] for o in objects(r) if o["kind"] == "Role"], ["outpost"],
           "Roles (replicas elect their leader in PostgreSQL, not with a Kubernetes Lease)")
    absent(r, "PersistentVolumeClaim")
    e = env(container(r, "outpost"))
    expect(e["Outpost__Storage__Provider"], "Postgres", "provider")
    expect(e["Outpost__Storage__ConnectionString"], {"secretKeyRef": {"name": "outpost", "key": "connection-string"}}, "connection string")
    expect(e["Outpost__Storage__EncryptionKey"], {"secretKeyRef": {"name": "outpost-key", "key": "encryption-key"}}, "encryption key")
    expect(sorted(find(r, "Secret", "outpost")["data"]), ["connection-string"], "credentials Secret keys")
    mounts = {m["name"]: m["mountPath"] for m in container(r, "sshd")["volumeMounts"]}
    expect(mounts.get("ssh-host-keys"), "/etc/outpost/ssh-host-keys", "host keys mount")
    assert "data" not in mounts, "sshd does not need the data volume when host keys are mounted"
    volumes = {v["name"]: v for v in pod(r)["volumes"]}
    expect(volumes["data"], {"name": "data", "emptyDir": {}}, "data volume")
    expect(volumes["ssh-host-keys"]["secret"]["secretName"], "outpost-host-keys", "host keys Secret")


def hubs():
    r = render({"hubs": {
        "jupyterhub": {"passwordHash": "pbkdf2$example"},
        "other.hub": {"password": "s3cret-s3cret"},
        "third": {"existingSecret": "third-creds", "existingSecretKey": "hash", "hashed": True},
    }})
    validate(r)
    import base64
    data = find(r, "Secret", "outpost")["data"]
    expect({k: base64.b64decode(v).decode() for k, v in data.items()},
           {"hub-jupyterhub-password-hash": "pbkdf2$example", "hub-other.hub-password": "s3cret-s3cret"}, "hub Secret")
    e = env(container(r, "outpost"))
    expect(e["Outpost__Hubs__jupyterhub__PasswordHash"], {"secretKeyRef": {"name": "outpost", "key": "hub-jupyterhub-password-hash"}}, "hash env")
    expect(e["Outpost__Hubs__other.hub__Password"], {"secretKeyRef": {"name": "outpost", "key": "hub-other.hub-password"}}, "password env")
    expect(e["Outpost__Hubs__third__PasswordHash"], {"secretKeyRef": {"name": "third-creds", "key": "hash"}}, "existing Secret env")


def without_sshd_and_backend():
    r = render({"sshd": {"enabled": False}, "kubernetesBackend": {"enabled": False}})
    validate(r)
    expect([c["name"] for c in pod(r)["containers"]], ["outpost"], "containers")
    absent(r, "Role")
    absent(r, "RoleBinding")
    absent(r, "Secret")
    assert "outpost-ssh" not in [o["metadata"]["name"] for o in objects(r)], "no ssh Service"
    expect(pod(r)["automountServiceAccountToken"], False, "no token without the backend")
    expect([rule["ports"][0]["port"] for rule in find(r, "NetworkPolicy", "outpost")["spec"]["ingress"]], ["http"], "ingress ports")


def existing_objects():
    r = render({
        "sshd": {"existingSecret": "hub-keys"},
        "persistence": {"existingClaim": "my-claim"},
        "serviceAccount": {"create": False, "name": "prepared"},
        "image": {"repository": "registry.example.org/outpost", "tag": "1.2.3"},
        "storage": {"existingSecret": "db", "provider": "Postgres"},
    })
    validate(r)
    volumes = {v["name"]: v for v in pod(r)["volumes"]}
    expect(volumes["authorized-keys"]["secret"]["secretName"], "hub-keys", "authorized_keys Secret")
    expect(volumes["data"]["persistentVolumeClaim"]["claimName"], "my-claim", "data claim")
    absent(r, "PersistentVolumeClaim")
    absent(r, "ServiceAccount")
    absent(r, "Secret")
    expect(pod(r)["serviceAccountName"], "prepared", "serviceAccountName")
    expect(find(r, "RoleBinding", "outpost")["subjects"][0]["name"], "prepared", "RoleBinding subject")
    expect({c["image"] for c in pod(r)["containers"]}, {"registry.example.org/outpost:1.2.3"}, "image")
    expect(env(container(r, "outpost"))["Outpost__Storage__ConnectionString"],
           {"secretKeyRef": {"name": "db", "key": "connection-string"}}, "connection string from a Secret")


def backend_off_mounts_no_token():
    r = render({"kubernetesBackend": {"enabled": False}})
    expect(pod(r)["automountServiceAccountToken"], False, "no token without the backend")
    absent(r, "Role")

def container_backend():
    r = render({"containerBackend": {"enabled": True, "socketPath": "/var/run/docker.sock"}})
    validate(r)
    spec = pod(r)
    expect(spec["hostNetwork"], True, "servers on the node's network are reachable from the pod's sshd")
    expect(spec["dnsPolicy"], "ClusterFirstWithHostNet", "cluster DNS still works on the host network")
    volume = [v for v in spec["volumes"] if v["name"] == "container-engine"]
    expect(volume, [{"name": "container-engine", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}], "engine socket")
    outpost = container(r, "outpost")
    expect(env(outpost)["Outpost__Backends__Containers__Endpoint"], "unix:///run/outpost-engine/engine.sock", "endpoint")
    mounts = [m for m in outpost["volumeMounts"] if m["name"] == "container-engine"]
    expect(mounts, [{"name": "container-engine", "mountPath": "/run/outpost-engine/engine.sock"}], "socket mount")
    expect("hostNetwork" in pod(render()), False, "off by default")


def other_server_namespace():
    r = render({"kubernetesBackend": {"namespace": "jupyter-servers"}})
    role, binding = find(r, "Role", "outpost"), find(r, "RoleBinding", "outpost")
    expect(role["metadata"]["namespace"], "jupyter-servers", "Role namespace")
    expect(binding["metadata"]["namespace"], "jupyter-servers", "RoleBinding namespace")
    expect(env(container(r, "outpost"))["Outpost__Backends__Kubernetes__Namespace"], "jupyter-servers",
           "the backend uses the namespace the Role grants")
    expect(binding["subjects"][0]["namespace"], "outpost", "subject namespace")


def namespace_template():
    r = render({"kubernetesBackend": {"namespaceTemplate": "jupyter-{hub}-{username}"}})
    validate(r)
    absent(r, "Role")
    absent(r, "RoleBinding")
    role = find(r, "ClusterRole", "outpost-outpost")
    expect(role["rules"], BACKEND_RULES + [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["create"]}],
           "ClusterRole rules: the Role's plus creating namespaces")
    binding = find(r, "ClusterRoleBinding", "outpost-outpost")
    expect(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "outpost-outpost"},
           "ClusterRoleBinding roleRef")
    expect(binding["subjects"], [{"kind": "ServiceAccount", "name": "outpost", "namespace": "outpost"}],
           "ClusterRoleBinding subjects")
    outpost = env(container(r, "outpost"))
    expect(outpost["Outpost__Backends__Kubernetes__NamespaceTemplate"], "jupyter-{hub}-{username}", "template passed on")
    expect("Outpost__Backends__Kubernetes__Namespace" in outpost, False, "no single namespace with a template")
    one = render()
    absent(one, "ClusterRole")
    absent(one, "ClusterRoleBinding")


def egress_and_sources():
    r = render({"networkPolicy": {
        "egress": [{"to": [{"namespaceSelector": {}}]}],
        "sshFrom": [{"ipBlock": {"cidr": "192.0.2.0/24"}}],
    }, "service": {"type": "LoadBalancer", "nodePort": 30080}, "sshService": {"type": "NodePort", "nodePort": 30022}})
    validate(r)
    spec = find(r, "NetworkPolicy", "outpost")["spec"]
    expect(spec["policyTypes"], ["Ingress", "Egress"], "policy types")
    expect(spec["egress"], [{"to": [{"namespaceSelector": {}}]}], "egress")
    expect(spec["ingress"][1]["from"], [{"ipBlock": {"cidr": "192.0.2.0/24"}}], "ssh sources")
    assert "from" not in spec["ingress"][0], "http open to all"
    expect(find(r, "Service", "outpost-ssh")["spec"]["ports"][0]["nodePort"], 30022, "ssh nodePort")
    expect(find(r, "Service", "outpost")["spec"]["ports"][0]["nodePort"], 30080, "http nodePort")


def original_outpost_inputs():
    config = "from kubespawner import KubeSpawner\nc.JupyterHubOutpost.spawner_class = KubeSpawner\n"
    r = render({"originalOutpost": {"outpostUsers": "outpost-users", "cryptSecret": "outpost-cryptkey", "outpostConfig": config}})
    validate(r)
    outpost = container(r, "outpost")
    expect(env(outpost)["OUTPOST_CRYPT_KEY"], {"secretKeyRef": {"name": "outpost-cryptkey", "key": "secret_key"}}, "crypt key")
    expect(outpost["envFrom"], [{"secretRef": {"name": "outpost-users"}}], "usernames and passwords from the Secret")
    mounts = [m for m in outpost["volumeMounts"] if m["mountPath"] == "/etc/outpost/outpost_config.py"]
    expect(mounts, [{"name": "config", "mountPath": "/etc/outpost/outpost_config.py", "subPath": "outpost_config.py", "readOnly": True}],
           "outpost_config.py mount")
    expect(find(r, "ConfigMap", "outpost-config")["data"]["outpost_config.py"], config, "outpost_config.py unchanged")
    # Older original charts took the file as a list of lines.
    lines = render({"originalOutpost": {"outpostConfig": ["import os", "c.JupyterHubOutpost.global_max_per_user = 2"]}})
    expect(find(lines, "ConfigMap", "outpost-config")["data"]["outpost_config.py"],
           "import os\nc.JupyterHubOutpost.global_max_per_user = 2\n", "outpost_config.py from lines")
    # Without them nothing of the original appears.
    plain = container(render(), "outpost")
    assert "envFrom" not in plain and "OUTPOST_CRYPT_KEY" not in env(plain), "no original inputs by default"
    assert "outpost_config.py" not in find(render(), "ConfigMap", "outpost-config")["data"], "no outpost_config.py by default"
    replicas = render({"replicaCount": 2, "persistence": {"enabled": False},
                       "storage": {"provider": "Postgres", "connectionString": "Host=db"},
                       "sshd": {"hostKeys": {"existingSecret": "keys"}}, "originalOutpost": {"cryptSecret": "outpost-cryptkey"}})
    expect(find(replicas, "Deployment", "outpost")["spec"]["replicas"], 2, "replicas sharing the original's crypt key")


def refused(values, message):
    def check():
        try:
            render(values)
        except AssertionError as error:
            assert message in str(error), f"expected {message!r} in {error}"
            return
        raise AssertionError("rendered, but should have been refused")
    return check


# ---------------------------------------------------------------------- Zero-to-JupyterHub recipe
RECIPE = ROOT / "docs/examples/z2jh"
Z2JH_HUB_KEYS = {"image", "config", "services", "loadRoles", "extraVolumes", "extraVolumeMounts", "extraEnv",
                 "extraConfig", "networkPolicy", "extraFiles", "db", "resources"}
JUPYTERHUB_SCOPES = {"admin:users", "admin:servers", "access:servers", "read:hub", "read:users", "read:servers",
                     "users:activity", "tokens", "admin:server_state"}


def recipe_yaml(name):
    return [d for d in yaml.safe_load_all((RECIPE / name).read_text()) if d]


def hub_values():
    return recipe_yaml("values.yaml")[0]["hub"]


def recipe_systems():
    """c.OutpostSpawner.systems as the hub's extraConfig declares it (validated by the plugin)."""
    sys.path.insert(0, str(ROOT / "plugin"))
    from traitlets.config import Config
    from outpostspawner.systems import parse_systems

    c = Config()
    for key in sorted(hub_values()["extraConfig"]):
        exec(compile(hub_values()["extraConfig"][key], f"hub.extraConfig.{key}", "exec"), {"c": c, "get_config": lambda: c})
    return c, parse_systems(c.OutpostSpawner.systems, check_secrets=False)


def z2jh_outpost_side():
    values = recipe_yaml("outpost-values.yaml")[0]
    r = render(values)
    validate(r)
    e = env(container(r, "outpost"))
    hub = "jupyter-central"
    expect(e[f"Outpost__Hubs__{hub}__Password"], {"secretKeyRef": {"name": hub, "key": "password"}}, "hub password")
    expect(e[f"Outpost__Hubs__{hub}__FlavorsUpdateToken"], {"secretKeyRef": {"name": hub, "key": "flavors-update-token"}},
           "flavor push token")
    data = find(r, "ConfigMap", "outpost-config")["data"]
    config = yaml.safe_load(next(iter(data.values())))
    expect(sorted(config["Outpost"]["Flavors"]["Flavors"]), ["large", "small"], "flavors")
    _, systems = recipe_systems()
    expect({s.username for s in systems.values()}, {hub}, "the hub's name at the Outposts (values.yaml)")
    expect(len(values["sshd"]["authorizedKeys"]), 1, "the hub's tunnel key")


def z2jh_hub_objects():
    for name in ("hub-secrets.yaml", "services-rbac.yaml"):
        problems = [p for doc in recipe_yaml(name) for p in check_manifests.check(doc, name)]
        assert not problems, "; ".join(problems)
    role = recipe_yaml("services-rbac.yaml")[0]
    expect(role["rules"], [{"apiGroups": [""], "resources": ["services"], "verbs": ["get", "create", "delete"]}], "Role")


def z2jh_hub_values():
    hub = hub_values()
    unknown = set(hub) - Z2JH_HUB_KEYS
    assert not unknown, f"not hub keys of the jupyterhub chart: {unknown}"
    secret = recipe_yaml("hub-secrets.yaml")[0]
    keys = set(secret["stringData"])
    # extraVolumes/extraVolumeMounts/extraEnv exactly as the chart puts them into the hub pod
    env_list = [{"name": k, **v} if isinstance(v, dict) else {"name": k, "value": str(v)} for k, v in hub["extraEnv"].items()]
    pod_doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hub"}, "spec": {
        "containers": [{"name": "hub", "image": f"{hub['image']['name']}:{hub['image']['tag']}", "env": env_list,
                        "volumeMounts": hub["extraVolumeMounts"]}],
        "volumes": hub["extraVolumes"]}}
    problems = check_manifests.check(pod_doc, "values.yaml hub pod")
    assert not problems, "; ".join(problems)
    for volume in hub["extraVolumes"]:
        expect(volume["secret"]["secretName"], secret["metadata"]["name"], "volume Secret")
        missing = {i["key"] for i in volume["secret"]["items"]} - keys
        assert not missing, f"Secret keys missing in hub-secrets.yaml: {missing}"
    for name, value in hub["extraEnv"].items():
        ref = value["valueFrom"]["secretKeyRef"]
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] in keys, f"extraEnv {name}: {ref}"
    # the files the systems name are the mounted ones; the variables are the ones extraEnv sets
    mount = hub["extraVolumeMounts"][0]["mountPath"]
    files = {f"{mount}/{i['path']}" for v in hub["extraVolumes"] for i in v["secret"]["items"]}
    c, systems = recipe_systems()
    for system in systems.values():
        for key in ("password_file", "ssh_key"):
            if system.get(key):
                assert system.get(key) in files, f"{system.name}.{key} {system.get(key)} is not mounted"
        if system.get("password_env"):
            assert system.get("password_env") in hub["extraEnv"], f"{system.name}.password_env is not set"
    expect(c.JupyterHub.spawner_class, "outpostspawner", "spawner_class")
    declared = set(hub["config"]["JupyterHub"]["custom_scopes"])
    expect(declared, {"custom:outpostflavors:set", "custom:servers:list", "custom:sshnode:restart"}, "custom scopes")
    for role in hub["loadRoles"].values():
        unknown = set(role["scopes"]) - declared - JUPYTERHUB_SCOPES
        assert not unknown, f"role scopes neither declared nor JupyterHub's: {unknown}"
        assert set(role.get("services", [])) <= set(hub["services"]), "a role names an unknown service"


def z2jh_dockerfile():
    lines = [l.strip() for l in (RECIPE / "Dockerfile").read_text().splitlines() if l.strip() and not l.startswith("#")]
    text = "\n".join(lines)
    assert lines[0].startswith("ARG HUB_IMAGE=") and "FROM ${HUB_IMAGE}" in lines, "FROM the chart's hub image"
    assert "openssh-client" in text, "the ssh client for the tunnels"
    wheel = next(p for p in run([str(ROOT / "scripts/build-plugin"), str(Path(tempfile.mkdtemp(prefix="z2jh-recipe-")))]).split() if p.endswith(".whl"))
    pattern = re.search(r"COPY (\S+) /tmp/", text).group(1)
    assert fnmatch.fnmatch(os.path.basename(wheel), pattern), f"{pattern} does not match {os.path.basename(wheel)}"
    assert "pip install --no-cache-dir --no-deps --no-index" in text
    expect(lines[-1], "USER 1000", "runs as the hub's user again")
    shutil.rmtree(os.path.dirname(wheel), ignore_errors=True)


if not HELM:
    build_tool()
else:
    case("helm lint", lambda: run([HELM, "lint", str(CHART)]))
def tunnel_service():
    rendered = render({"tunnels": {"enabled": True, "existingSecret": "hub-tunnels", "existingClaim": "tunnels-state"}})
    validate(rendered)
    deployment = find(rendered, "Deployment", "outpost-tunnels")
    spec = deployment["spec"]["template"]["spec"]
    tunnels = spec["containers"][0]
    expect(tunnels["args"][:3], ["outpost", "tunnels", "serve"], "tunnel container command")
    expect(tunnels["args"][6], "0.0.0.0:8089", "tunnel service listen address")
    expect(deployment["spec"]["strategy"]["type"], "Recreate", "tunnel Deployment strategy")
    volumes = {v["name"]: v for v in spec["volumes"]}
    expect(volumes["secret"]["secret"]["secretName"], "hub-tunnels", "token Secret")
    expect(volumes["state"]["persistentVolumeClaim"]["claimName"], "tunnels-state", "state claim")
    service = find(rendered, "Service", "outpost-tunnels")
    expect(service["spec"]["selector"]["app.kubernetes.io/component"], "outpost-tunnels", "Service selector (the plugin's default tunnel_service_selector)")
    # The Outpost's own Service must not pick up the tunnel pod.
    outpost_selector = find(rendered, "Service", "outpost")["spec"]["selector"]
    assert not all(deployment["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in outpost_selector.items()), outpost_selector


case("tunnel service: Deployment, Service, Secret and claim references", tunnel_service)
case("refused: tunnel service without its Secret", refused({"tunnels": {"enabled": True}}, "tunnels.existingSecret"))
case("deploy/kubernetes is the chart's defaults, rendered", plain_manifests_are_the_rendered_defaults)
case("kubectl kustomize builds the plain manifests; objects are valid", kustomize_builds)
case("kustomize moves everything, RoleBinding subjects too, into another namespace", kustomize_into_another_namespace)
case("defaults: names, ports, probes, RBAC rules, security settings", defaults)
case("replicas: Postgres, PDB, one Role, shared host keys", replicas)
case("hubs: hash, password and existing Secret", hubs)
case("existing Secrets, claim and ServiceAccount; image", existing_objects)
case("sshd and Kubernetes backend off: no sshd, no RBAC, no token", without_sshd_and_backend)
case("backend off: no Role, no token", backend_off_mounts_no_token)
case("servers in another namespace: Role there, subject here", other_server_namespace)
case("namespace per hub or user: ClusterRole with the Role's rules and namespaces create", namespace_template)
case("refused: namespace and namespaceTemplate both set", refused(
    {"kubernetesBackend": {"namespace": "a", "namespaceTemplate": "jupyter-{hub}"}}, "set one of them"))
case("container backend: engine socket from the node, host network", container_backend)
case("network policy egress and sources; NodePort and LoadBalancer", egress_and_sources)
case("original Outpost inputs: users Secret, crypt key Secret, outpost_config.py", original_outpost_inputs)
case("refused: replicas with SQLite", refused({"replicaCount": 2}, "needs storage.provider Postgres"))
case("refused: replicas without shared host keys", refused({
    "replicaCount": 2, "persistence": {"enabled": False},
    "storage": {"provider": "Postgres", "connectionString": "x", "encryptionKey": "k"}}, "sshd.hostKeys.existingSecret"))
case("refused: Postgres without a connection string", refused({"storage": {"provider": "Postgres"}}, "storage.connectionString"))
case("refused: unknown storage provider", refused({"storage": {"provider": "Mysql"}}, "Sqlite or Postgres"))
case("refused: a hub with two credentials", refused({"hubs": {"a": {"password": "x", "passwordHash": "y"}}}, "exactly one of"))
case("refused: an invalid hub name", refused({"hubs": {"bad/name": {"password": "x"}}}, "not a valid hub name"))
case("z2jh recipe: the Outpost side renders with this chart and is valid", z2jh_outpost_side)
case("z2jh recipe: the hub's Secret and Services RBAC are valid objects", z2jh_hub_objects)
case("z2jh recipe: hub values (scopes, roles, mounts, env, systems) fit together", z2jh_hub_values)
case("z2jh recipe: the Dockerfile installs the plugin's wheel and the ssh client", z2jh_dockerfile)



@pytest.mark.parametrize("check", [check for _, check in CASES], ids=[name for name, _ in CASES])
def test_deploy(check):
    check()


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("RESULTS_DIR"):
        args.append(f"--junitxml={os.environ['RESULTS_DIR']}/deploy.xml")
    sys.exit(pytest.main(args))
