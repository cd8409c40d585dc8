"""Service manifests and the Kubernetes REST client against the fake API."""
import pytest

from outpostspawner.kube import KubeClient, KubeError, service_manifest


def test_service_manifest():
    m = service_manifest("jupyter-alice--x", 4711, {"app": "jupyterhub", "component": "hub"},
                         {"team": "a"})
    assert m == {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "jupyter-alice--x",
                     "labels": {"app": "jupyterhub", "component": "singleuser-server", "team": "a"}},
        "spec": {"type": "ClusterIP", "selector": {"app": "jupyterhub", "component": "hub"},
                 "ports": [{"name": "http", "port": 4711, "targetPort": 4711, "protocol": "TCP"}]},
    }


async def test_create_conflict_delete(kube):
    client = KubeClient(kube.url, kube.token_file, None)
    m = service_manifest("s1", 1, {"a": "b"})
    await client.ensure_service("ns", m)
    assert ("ns", "s1") in kube.services
    kube.services[("ns", "s1")]["spec"]["ports"][0]["port"] = 9
    await client.ensure_service("ns", m)  # 409 -> delete -> create
    assert kube.services[("ns", "s1")]["spec"]["ports"][0]["port"] == 1
    methods = [r[0] for r in kube.requests]
    assert methods == ["POST", "POST", "DELETE", "GET", "POST"]
    assert all(r[2] == f"Bearer {kube.token}" for r in kube.requests)
    assert kube.requests[0][1] == "/api/v1/namespaces/ns/services"
    assert await client.delete_service("ns", "s1") is True
    assert await client.delete_service("ns", "s1") is False
    assert await client.get_service("ns", "s1") is None


async def test_auth_error_raises(kube, tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("wrong")
    with pytest.raises(KubeError) as info:
        await KubeClient(kube.url, str(bad), None).create_service("ns", service_manifest("x", 1, {}))
    assert info.value.code == 401


async def test_spawner_creates_and_removes_service(make_spawner, kube, ssh_runner):
    kube.services[("hubns", "hub")] = {"metadata": {"name": "hub"},
                                        "spec": {"selector": {"app": "jupyterhub", "component": "hub"}}}
    import os
    os.environ["POD_NAMESPACE"] = "hubns"
    try:
        sp = make_spawner("Lab 1", ssh_during_startup=True, svc_create=True, namespace="users",
                          kube_api_url=kube.url, kube_token_file=kube.token_file,
                          extra_labels=lambda s, uo: {"owner": s.user.name},
                          ssh_local_bind_address="0.0.0.0")
        url = await sp.start()
    finally:
        del os.environ["POD_NAMESPACE"]
    name = "jupyter-alice---4cab-201"  # "L" is escaped before lowercasing
    assert url == f"http://{name}.users.svc:{sp.port}"
    svc = kube.services[("users", name)]
    assert svc["spec"]["selector"] == {"app": "jupyterhub", "component": "hub"}
    assert svc["metadata"]["labels"]["owner"] == "alice"
    assert svc["spec"]["ports"][0]["targetPort"] == sp.port
    await sp.stop()
    assert ("users", name) not in kube.services
    assert "-O cancel" in ssh_runner.ops()


async def test_spawner_svc_with_configured_selector(make_spawner, kube):
    sp = make_spawner("a", ssh_during_startup=True, svc_create=True, namespace="users",
                      kube_api_url=kube.url, kube_token_file=kube.token_file,
                      svc_selector={"component": "hub", "release": "r"})
    await sp.start()
    assert kube.services[("users", "jupyter-alice--a")]["spec"]["selector"] == {"component": "hub", "release": "r"}


async def test_svc_failure_removes_forward(make_spawner, kube, ssh_runner, outpost):
    sp = make_spawner("a", ssh_during_startup=True, svc_create=True, namespace="users",
                      kube_api_url=kube.url, kube_token_file="/nonexistent")
    with pytest.raises(Exception, match="Cannot create svc"):
        await sp.start()
    assert ssh_runner.ops()[-1] == "-O cancel"
    assert outpost.of("DELETE")
