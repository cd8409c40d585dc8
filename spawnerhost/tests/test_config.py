"""The original-format config file, misc merging and certificates."""

import os
import stat

from test_spawners import spec

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")


async def test_check_original_config_file(start_host):
    host = await start_host("original_local.py")
    result = await host.ok("check", config_file=os.path.join(CONFIGS, "original_local.py"))
    assert result == {
        "spawner_class": "jupyterhub.spawner.LocalProcessSpawner",
        "traits": ["args", "interrupt_timeout", "ip", "term_timeout"],
    }
    # without config_file: the host's own file
    assert (await host.ok("check"))["spawner_class"] == "jupyterhub.spawner.LocalProcessSpawner"


async def test_check_names_file_and_line_of_errors(start_host):
    host = await start_host("original_local.py")
    name_error = os.path.join(CONFIGS, "name_error.py")
    error = (await host.call("check", config_file=name_error))["error"]
    assert error["class"] == "ConfigFileError"
    assert error["message"] == f"{name_error}, line 7: NameError: name 'x' is not defined"

    syntax_error = os.path.join(CONFIGS, "syntax_error.py")
    error = (await host.call("check", config_file=syntax_error))["error"]
    assert error["class"] == "ConfigFileError"
    assert error["message"].startswith(f"{syntax_error}, line 5: SyntaxError: ")


async def test_start_with_a_broken_config_file_fails_and_the_host_lives(start_host):
    host = await start_host("name_error.py")
    error = (await host.call("start", server="b", spec=spec("b")))["error"]
    assert error["class"] == "ConfigFileError" and "line 7" in error["message"]
    assert (await host.ok("hello"))["protocol"] == 1


async def test_misc_invalid_value_fails_naming_the_key(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="SlowSpawner")
    error = (await host.call("start", server="m", spec=spec("m", misc={"delay": "soon"})))["error"]
    assert error["class"] == "SpawnerConfigError"
    assert "misc key 'delay'" in error["message"]


async def test_misc_unknown_key_is_ignored_and_dicts_merge(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="RecordingSpawner")
    misc = {"services_enabled": True, "pod_name_template": "x-{username}", "port": 5000}
    assert (await host.ok("start", server="u", spec=spec("u", misc=misc)))["address"] == "127.0.0.1:5000"
    assert "has no such attribute" in host.stderr()


async def test_allow_override_hook_refuses_misc_for_other_hubs(start_host):
    # original_local.py allows misc only for "trusted-hub"; an invalid value is then never looked at
    host = await start_host("original_local.py")
    other = spec("o", hub="other-hub", misc={"port": "not a port", "cmd": ["/nonexistent"]})
    other["env"]["JUPYTERHUB_USER"] = "no-such-user-on-this-host"
    error = (await host.call("start", server="o", spec=other))["error"]
    # misc was ignored, not validated: the configured LocalProcessSpawner ran and
    # failed looking up the (missing) system user before starting anything
    assert error["class"] == "KeyError" and "no-such-user-on-this-host" in error["message"]
    trusted = spec("t", hub="trusted-hub", misc={"port": "not a port"})
    error = (await host.call("start", server="t", spec=trusted))["error"]
    assert error["class"] == "SpawnerConfigError" and "'port'" in error["message"]


async def test_certs_written_private_passed_through_move_certs_and_removed(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="RecordingSpawner")
    work = tmp_path / "work-c"
    work.mkdir()
    certs = {"keyfile": "KEY", "certfile": "CERT", "cafile": "CA"}
    bundles = {"hub-ca": "HUBCA", "notebooks-ca": "NBCA"}
    await host.ok("start", server="c", spec=spec("c", certs=certs, trust_bundles=bundles, work_dir=str(work)))
    base = work / "certs"
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert (base / "bob.key").read_text() == "KEY"
    assert (base / "bob.crt").read_text() == "CERT"
    assert (base / "notebooks-ca_trust.crt").read_text() == "CA"
    assert (base / "trust" / "hub-ca.crt").read_text() == "HUBCA"
    assert (base / "trust" / "proxy-api-ca.crt").read_text() == ""
    for f in [base / "bob.key", base / "trust" / "notebooks-ca.crt"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert (tmp_path / "c.moved").read_text() == f"{base}/bob.key\n"
    await host.ok("stop", server="c")
    assert not base.exists()
