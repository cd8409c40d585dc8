"""docs/examples/z2jh for mode 3 (the tunnel service) fits together: the hub overlay runs after the systems
snippet, points every system's key at the tunnel pod's mount, and reads the token the tunnel pod reads."""
from pathlib import Path

import yaml
from traitlets.config import Config

from outpostspawner.systems import parse_systems

Z2JH = Path(__file__).resolve().parents[2] / "docs" / "examples" / "z2jh"


def load(name: str) -> list:
    return [d for d in yaml.safe_load_all((Z2JH / name).read_text()) if d]


def hub_config() -> Config:
    """values.yaml, then values-tunnel-service.yaml, as helm merges them: extraConfig keys run in sorted order."""
    base, overlay = load("values.yaml")[0]["hub"], load("values-tunnel-service.yaml")[0]["hub"]
    snippets = {**base["extraConfig"], **overlay["extraConfig"]}
    c = Config()
    for key in sorted(snippets):
        exec(compile(snippets[key], f"hub.extraConfig.{key}", "exec"), {"c": c, "get_config": lambda: c})
    return c


def test_every_system_key_is_a_file_of_the_tunnel_secret_in_the_tunnel_pod():
    c = hub_config()
    secret = load("tunnel-secrets.yaml")[0]
    tunnels = load("tunnels-values.yaml")[0]["tunnels"]
    assert tunnels["enabled"] and tunnels["existingSecret"] == secret["metadata"]["name"]
    systems = parse_systems(c.OutpostSpawner.systems, check_secrets=False)
    assert systems
    for system in systems.values():
        key = system.get("ssh_key")
        assert key.startswith("/etc/outpost-tunnels/"), key  # where the chart mounts the Secret
        assert key.rsplit("/", 1)[1] in secret["stringData"], key


def test_the_hub_reads_the_token_the_tunnel_pod_reads_and_calls_its_service():
    c = hub_config()
    overlay = load("values-tunnel-service.yaml")[0]["hub"]
    mounts = {m["name"]: m["mountPath"] for m in overlay["extraVolumeMounts"]}
    volume = next(v for v in overlay["extraVolumes"] if v["secret"]["secretName"] == "outpost-tunnels")
    [item] = volume["secret"]["items"]
    assert item["key"] == "token" and "token" in load("tunnel-secrets.yaml")[0]["stringData"]
    assert c.OutpostSpawner.tunnel_service_token_file == f"{mounts[volume['name']]}/{item['path']}"
    port = load("tunnels-values.yaml")[0]["tunnels"]["port"]
    # the chart names the Service <release>-tunnels; the example installs the release "outpost"
    assert c.OutpostSpawner.tunnel_service_url == f"http://outpost-tunnels:{port}"
    # helm replaces lists: the overlay keeps the base values' volumes
    base = load("values.yaml")[0]["hub"]
    assert all(v in overlay["extraVolumes"] for v in base["extraVolumes"])
    assert all(m in overlay["extraVolumeMounts"] for m in base["extraVolumeMounts"])
