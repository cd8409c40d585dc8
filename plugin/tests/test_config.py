"""Every option of the configuration reference exists with the same type and default,
has help text, and each hook works as a value, a function and a coroutine."""
import asyncio
import os
import subprocess
import sys

import pytest
from traitlets import Any, Bool, Callable, Dict, Float, Integer, Unicode, Union

from outpostspawner import OutpostSpawner
from outpostspawner.options import DEFAULT_CANCELLING_EVENT, OutpostOptions

# name -> (types accepted, default) as in the configuration reference
REFERENCE = {
    "additional_cafile": ((Any,), None),
    "apply_user_options": ((Union,), None),
    "cancelling_event": ((Union,), DEFAULT_CANCELLING_EVENT),
    "check_allowed": ((Any,), None),
    "collect_logs": ((Bool,), False),
    "collect_logs_polling": ((Bool,), False),
    "custom_env": ((Union,), {}),
    "custom_misc": ((Union,), {}),
    "custom_misc_disable_default": ((Bool,), False),
    "custom_poll_interval": ((Union,), 0),
    "custom_port": ((Union,), 0),
    "custom_user_options": ((Union,), {}),
    "dns_name_template": ((Unicode,), "{name}.{namespace}.svc.cluster.local"),
    "extra_labels": ((Union,), {}),
    "failed_spawn_request_hook": ((Any,), None),
    "filter_events": ((Callable,), None),
    "group_overrides": ((Union,), {}),
    "http_client_defaults": ((Dict,), {}),
    "namespace": ((Unicode,), "default"),  # outside a cluster
    "poll_jitter": ((Float,), 0.1),
    "post_spawn_request_hook": ((Any,), None),
    "pre_poll_hook": ((Any,), False),
    "pre_stop_hook": ((Any,), False),
    "progress_ready_hook": ((Any,), None),
    "public_api_url": ((Any,), None),
    "request_404_poll_keep_running": ((Bool,), False),
    "request_failed_poll_keep_running": ((Bool,), True),
    "request_headers": ((Union,), {}),
    "request_kwargs": ((Union,), {}),
    "request_kwargs_start": ((Union,), None),
    "request_url": ((Union,), ""),
    "show_first_default_event": ((Any,), True),
    "ssh_create_remote_forward": ((Any,), False),
    "ssh_custom_forward": ((Any,), None),
    "ssh_custom_forward_remote": ((Any,), None),
    "ssh_custom_forward_remote_remove": ((Any,), None),
    "ssh_custom_forward_remove": ((Any,), None),
    "ssh_custom_svc": ((Any,), None),
    "ssh_custom_svc_remove": ((Any,), None),
    "ssh_during_startup": ((Union,), False),
    "ssh_forward_options": ((Union,), {}),
    "ssh_forward_remote_options": ((Union,), {}),
    "ssh_key": ((Union,), "/home/jovyan/.ssh/id_rsa"),
    "ssh_node": ((Union,), None),
    "ssh_node_mapping": ((Callable,), None),
    "ssh_port": ((Union,), 22),
    "ssh_recreate_at_start": ((Union,), False),
    "ssh_remote_key": ((Union,), "/home/jovyan/.ssh/id_rsa_remote"),
    "ssh_remote_node": ((Union,), None),
    "ssh_remote_port": ((Union,), 22),
    "ssh_remote_username": ((Union,), "jhuboutpost"),
    "ssh_username": ((Union,), "jhuboutpost"),
    "start_async": ((Union,), False),
    "stop_async": ((Union,), False),
    "svc_create": ((Union,), True),
    "svc_name_template": ((Unicode,), "jupyter-{username}--{servername}"),
    "update_expected_path": ((Any,), False),
    "update_start_response": ((Any,), False),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_option_matches_reference(name):
    traits = OutpostSpawner.class_traits(config=True)
    assert name in traits, f"missing option {name}"
    trait = traits[name]
    types, default = REFERENCE[name]
    assert isinstance(trait, types), (name, type(trait))
    sp = OutpostSpawner()
    assert getattr(sp, name) == default, name


def test_every_option_has_help_with_default():
    for name, trait in OutpostOptions.class_own_traits(config=True).items():
        assert trait.help and len(trait.help) > 40, name
        assert "Default" in trait.help or "default" in trait.help, name


def test_options_page_is_current():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = os.path.join(root, "scripts", "plugin-options-doc")
    assert subprocess.run([sys.executable, script, "--check"]).returncode == 0


def test_config_file_sets_options():
    from traitlets.config import Config

    c = Config()
    c.OutpostSpawner.ssh_port = 2222
    c.OutpostSpawner.request_url = "http://x/services"
    sp = OutpostSpawner(config=c)
    assert sp.ssh_port == 2222 and sp.request_url == "http://x/services"


# ---------------------------------------------------------------- value / function / coroutine
def variants(value):
    """The same setting as a plain value, a function and a coroutine function."""
    async def coro(*args):
        await asyncio.sleep(0)
        return value

    return {"value": value, "function": lambda *args: value, "coroutine": coro}


KINDS = ["value", "function", "coroutine"]


@pytest.mark.parametrize("kind", KINDS)
async def test_request_options(make_spawner, outpost, kind):
    from conftest import BASIC

    sp = make_spawner(
        "a",
        request_url=variants(outpost.url)[kind],
        request_headers=variants({"Authorization": BASIC, "auth-state-x": "1"})[kind],
        request_kwargs=variants({"request_timeout": 33})[kind],
        request_kwargs_start=variants({"request_timeout": 44})[kind],
        start_async=variants(True)[kind],
        custom_env=variants({"JUPYTERHUB_FLAVORS_UPDATE_URL": "u"})[kind],
        custom_user_options=variants({"image": "i"})[kind],
        custom_misc=variants({"m": 1})[kind],
        extra_labels=variants({"l": "v"})[kind],
        custom_port=variants(4321)[kind] if kind != "value" else 4321,
        custom_poll_interval=variants(7)[kind] if kind != "value" else 7,
        public_api_url=variants("http://pub/hub/api")[kind],
    )
    await sp.start()
    req = outpost.of("POST")[0]
    assert req["headers"]["Auth-State-X"] == "1"
    assert req["headers"]["Execution-Type"] == "async"
    body = req["body"]
    assert body["env"]["JUPYTERHUB_FLAVORS_UPDATE_URL"] == "u"
    assert body["env"]["JUPYTERHUB_API_URL"] == "http://pub/hub/api"
    assert body["user_options"]["image"] == "i"
    assert body["misc"]["m"] == 1 and body["misc"]["extra_labels"] == {"l": "v"}
    assert sp.port == 4321 and body["misc"]["port"] == 4321
    assert sp._poll_interval_ms == 7000


@pytest.mark.parametrize("kind", ["function", "coroutine"])
async def test_lifecycle_hooks(make_spawner, outpost, kind):
    seen = []

    def rec(tag, ret=None):
        return _recorder(seen, tag, ret, kind)

    sp = make_spawner(
        "a",
        check_allowed=rec("check_allowed"),
        post_spawn_request_hook=rec("post_spawn_request_hook"),
        update_start_response=rec("update_start_response", "127.0.0.1:5555"),
        update_expected_path=rec("update_expected_path", "http://127.0.0.1:5555/x"),
        pre_stop_hook=rec("pre_stop_hook"),
        pre_poll_hook=rec("pre_poll_hook", True),
        pre_spawn_hook=rec("pre_spawn_hook"),
    )
    await sp.run_pre_spawn_hook()
    assert await sp.start() == "http://127.0.0.1:5555/x"
    await sp.poll()
    await sp.stop()
    assert [s for s in seen] == ["pre_spawn_hook", "check_allowed", "post_spawn_request_hook",
                                 "update_start_response", "update_expected_path",
                                 "pre_poll_hook", "pre_stop_hook"]


def _recorder(seen, tag, ret, kind):
    if kind == "function":
        def fn(*args):
            seen.append(tag)
            return ret
        return fn

    async def co(*args):
        seen.append(tag)
        return ret
    return co


@pytest.mark.parametrize("kind", KINDS)
async def test_ssh_options(make_spawner, ssh_runner, kind):
    sp = make_spawner(
        "a",
        ssh_during_startup=variants(True)[kind],
        ssh_node=variants("node.example")[kind],
        ssh_port=variants(2200)[kind],
        ssh_username=variants("tun")[kind],
        ssh_key=variants("/keys/k")[kind],
        ssh_forward_options=variants({"ServerAliveInterval": "5", "Compression": "yes"})[kind],
        ssh_node_mapping=(variants("mapped.example")[kind] if kind != "value" else None),
        svc_create=variants(False)[kind],
    )
    await sp.start()
    fwd = [c for c in ssh_runner.calls if "forward" in c][0]
    node = "node.example" if kind == "value" else "mapped.example"
    assert fwd[-1] == f"tun@{node}"
    joined = " ".join(fwd)
    assert "Port=2200" in joined and "IdentityFile=/keys/k" in joined
    assert "ServerAliveInterval=5" in joined and "Compression=yes" in joined
    assert f"ControlPath=/tmp/control_tun@{node}:2200" in joined


async def test_ssh_values_from_port_forward_info(make_spawner, ssh_runner):
    sp = make_spawner("a", ssh_during_startup=True, ssh_node="configured")
    sp.port_forward_info = {"ssh_node": "from-api", "ssh_port": 2022, "ssh_username": "u2"}
    await sp.start()
    fwd = [c for c in ssh_runner.calls if "forward" in c][0]
    assert fwd[-1] == "u2@from-api" and "Port=2022" in " ".join(fwd)


@pytest.mark.parametrize("kind", ["function", "coroutine"])
async def test_custom_forward_and_svc_hooks(make_spawner, ssh_runner, kind):
    seen = []
    sp = make_spawner(
        "a", ssh_during_startup=True, svc_create=True,
        ssh_custom_forward=_recorder(seen, "fwd", None, kind),
        ssh_custom_svc=_recorder(seen, "svc", ("svc.host", 1234), kind),
        ssh_custom_forward_remove=_recorder(seen, "fwd_rm", None, kind),
        ssh_custom_svc_remove=_recorder(seen, "svc_rm", None, kind),
    )
    assert await sp.start() == "http://svc.host:1234"
    await sp.stop()
    assert seen == ["fwd", "svc", "fwd_rm", "svc_rm"]
    assert ssh_runner.calls == []


@pytest.mark.parametrize("kind", KINDS)
async def test_remote_forward_options(make_spawner, ssh_runner, kind):
    ssh_runner.rc_for["start"] = [217]
    sp = make_spawner(
        "a",
        ssh_create_remote_forward=variants(True)[kind],
        ssh_remote_node=variants("remote.example")[kind],
        ssh_remote_port=variants(2201)[kind],
        ssh_remote_username=variants("ruser")[kind],
        ssh_remote_key=variants("/keys/r")[kind],
        ssh_forward_remote_options=variants({"ConnectTimeout": "3"})[kind],
    )
    await sp.start()
    start = ssh_runner.calls[0]
    assert start[-2:] == ["ruser@remote.example", "start"]
    assert "Port=2201" in " ".join(start) and "ConnectTimeout=3" in " ".join(start)
    await sp.stop()
    assert ssh_runner.calls[-1][-1] == "stop"


async def test_custom_remote_forward_hooks_get_remote_info(make_spawner):
    seen = []

    async def fwd(spawner, info):
        seen.append(("fwd", info))

    def rm(spawner, info):
        seen.append(("rm", info))

    sp = make_spawner("a", ssh_create_remote_forward=True, ssh_custom_forward_remote=fwd,
                      ssh_custom_forward_remote_remove=rm)
    sp.port_forward_info = {"remote": {"ssh_node": "r"}}
    await sp.start()
    await sp.stop()
    assert seen == [("fwd", {"ssh_node": "r"}), ("rm", {"ssh_node": "r"})]


@pytest.mark.parametrize("kind", KINDS)
async def test_event_options(make_spawner, kind):
    sp = make_spawner(
        "a",
        show_first_default_event=variants(False)[kind],
        cancelling_event=variants({"progress": 98, "message": "bye"})[kind],
    )
    await sp.run_pre_spawn_hook()
    sp._spawn_pending = True
    await sp._append_cancelling_event()
    sp.add_event({"progress": 100, "failed": True, "message": "x"})
    got = [e async for e in sp._generate_progress()]
    assert [e["progress"] for e in got] == [20, 98, 100]


async def test_additional_cafile_text_function_and_path(make_spawner, tmp_path, outpost):
    pem = "-----BEGIN CERTIFICATE-----\nEXTRA\n-----END CERTIFICATE-----\n"
    path = tmp_path / "extra.pem"
    path.write_text(pem)
    for i, value in enumerate([pem, lambda s: pem, str(path)]):
        sp = make_spawner(f"s{i}", additional_cafile=value)
        sp.internal_ssl = True
        for name in ("k", "c", "ca", "hub"):
            (tmp_path / name).write_text(f"{name}-pem\n")
        sp.cert_paths = {"keyfile": str(tmp_path / "k"), "certfile": str(tmp_path / "c"),
                         "cafile": str(tmp_path / "ca")}
        sp.internal_trust_bundles = {"hub-ca": str(tmp_path / "hub")}
        request = await sp.build_start_request()
        assert request.certs["keyfile"] == "k-pem\n"
        assert request.certs["cafile"].startswith("ca-pem") and "EXTRA" in request.certs["cafile"]
        assert "EXTRA" in request.internal_trust_bundles["hub-ca"]


async def test_filter_events_and_ready_hook_are_awaited():
    from outpostspawner.models import resolve

    async def flt(spawner, event):
        return {**event, "message": "filtered"}

    assert (await resolve(flt, None, {"message": "m"}))["message"] == "filtered"
