"""Declared systems: every per-system hook is derived from c.OutpostSpawner.systems, an explicit
hook wins, the choice arrives in user_options["system"], misconfiguration names its key."""
import asyncio
import base64

import pytest

from conftest import BASIC, HUB_NAME, HUB_PASSWORD, free_port
from outpostspawner import OutpostSpawner
from outpostspawner.flavors import FlavorCache
from outpostspawner.models import resolve
from outpostspawner.systems import (
    DERIVED_TRAITS, SystemChoiceError, SystemsConfigError, parse_systems,
)


@pytest.fixture
def secrets_dir(tmp_path):
    (tmp_path / "a-password").write_text(HUB_PASSWORD + "\n")
    (tmp_path / "b-token").write_text("flavor-push-token\n")
    return tmp_path


def two_systems(outpost_url: str, secrets_dir, monkeypatch) -> dict:
    monkeypatch.setenv("OUTPOST_B_PASSWORD", "b-password")
    return {
        "a": {
            "display_name": "System A", "description": "the first one",
            "url": outpost_url.rstrip("/").removesuffix("/services"),
            "username": HUB_NAME, "password_file": str(secrets_dir / "a-password"),
            "ssh_node": "node-a.example", "ssh_port": 2201, "ssh_username": "tunnela",
            "ssh_key": "/keys/a", "ssh_forward_options": {"ServerAliveInterval": "7"},
            "svc_create": False, "request_kwargs": {"request_timeout": 11}, "extra_labels": {"system": "a"},
            "custom_misc": {"image": "a:1"},
        },
        "b": {
            "display_name": "System B",
            "url": "http://127.0.0.1:9/outpost-b",
            "username": "hub-at-b", "password_env": "OUTPOST_B_PASSWORD",
            "start_async": True, "ssh_during_startup": False,
            "flavors_update_token_file": str(secrets_dir / "b-token"),
        },
    }


# what each derived hook gives for system a and system b (b leaves most keys to the trait defaults)
EXPECTED = {
    "request_url": (None, "http://127.0.0.1:9/outpost-b/services"),  # a: the fake Outpost, checked below
    "request_headers": ({"Authorization": BASIC},
                        {"Authorization": "Basic " + base64.b64encode(b"hub-at-b:b-password").decode()}),
    "request_kwargs": ({"request_timeout": 11}, {}),
    "ssh_node": ("node-a.example", None),
    "ssh_port": (2201, 22),
    "ssh_username": ("tunnela", "jhuboutpost"),
    "ssh_key": ("/keys/a", "/home/jovyan/.ssh/id_rsa"),
    "ssh_forward_options": ({"ServerAliveInterval": "7"}, {}),
    "ssh_during_startup": (True, False),  # a: true because it has an ssh_node
    "svc_create": (False, True),
    "extra_labels": ({"system": "a"}, {}),
    "custom_misc": ({"image": "a:1"}, {}),
    "start_async": (False, True),
}


def test_every_derived_trait_is_covered():
    assert set(EXPECTED) == set(DERIVED_TRAITS)


async def call(spawner, trait):
    value = getattr(spawner, trait)
    assert callable(value), f"{trait} is not derived"
    if trait in ("ssh_node", "ssh_port", "ssh_username", "ssh_key", "ssh_forward_options"):
        return await resolve(value, spawner, {})
    if trait in ("ssh_during_startup", "svc_create", "start_async"):
        return await resolve(value, spawner)
    return await resolve(value, spawner, spawner.user_options)


@pytest.mark.parametrize("trait", sorted(EXPECTED))
async def test_each_hook_is_derived_from_the_chosen_system(make_spawner, outpost, secrets_dir, monkeypatch, trait):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    for index, name in enumerate(("a", "b")):
        sp = make_spawner(f"s-{name}", systems=systems, **_unset_defaults())
        sp.user_options = {"system": name}
        expected = EXPECTED[trait][index]
        if trait == "request_url" and name == "a":
            expected = outpost.url.rstrip("/")
        assert await call(sp, trait) == expected, (trait, name)


def _unset_defaults():
    """make_spawner sets a few hooks for the plain tests; here they must come from the systems."""
    return {"_unset": ("request_url", "request_headers", "svc_create", "ssh_node")}


@pytest.fixture
def make_spawner(make_spawner):
    def factory(name="", user="alice", _unset=(), **traits):
        sp = make_spawner(name, user, **traits)
        for trait in _unset:
            if trait not in traits:
                sp.set_trait(trait, sp.trait_defaults(trait))  # back to the (derived) default
        return sp
    return factory


@pytest.mark.parametrize("trait", sorted(EXPECTED))
async def test_an_explicit_hook_wins(make_spawner, outpost, secrets_dir, monkeypatch, trait):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    explicit = {
        "request_url": "http://explicit/services", "request_headers": {"Authorization": "Basic eA=="},
        "request_kwargs": {"request_timeout": 99}, "ssh_node": "explicit.example", "ssh_port": 4022,
        "ssh_username": "explicit", "ssh_key": "/explicit", "ssh_forward_options": {"Compression": "yes"},
        "ssh_during_startup": False, "svc_create": True, "custom_misc": {"x": 1}, "start_async": False,
        "extra_labels": {"explicit": "yes"},
    }[trait]
    sp = make_spawner("e", systems=systems, **{trait: explicit})
    sp.user_options = {"system": "a"}
    assert getattr(sp, trait) == explicit
    # and as a function, the way hooks are usually written
    sp2 = make_spawner("f", systems=systems, **{trait: lambda *args: explicit})
    sp2.user_options = {"system": "a"}
    assert await resolve(getattr(sp2, trait), sp2, {}) == explicit


def test_without_systems_every_default_is_the_original():
    sp = OutpostSpawner()
    assert sp.request_url == "" and sp.ssh_port == 22 and sp.svc_create is True
    assert sp.options_form == ""


async def test_a_value_from_the_setuptunnel_api_comes_before_the_system(make_spawner, outpost, secrets_dir, monkeypatch):
    sp = make_spawner("t", systems=two_systems(outpost.url, secrets_dir, monkeypatch), _unset=("ssh_node",))
    sp.user_options = {"system": "a"}
    assert await resolve(sp.ssh_node, sp, {"ssh_node": "from-api"}) == "from-api"
    assert await resolve(sp.ssh_node, sp, {}) == "node-a.example"


async def test_start_poll_stop_on_the_chosen_system(make_spawner, outpost, ssh_runner, secrets_dir, monkeypatch):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    sp = make_spawner("lab", systems=systems, _unset=("request_url", "request_headers", "svc_create", "ssh_node"))
    sp.user_options = {"system": "a"}
    await sp.start()
    post = outpost.of("POST")[0]
    assert post["headers"]["Authorization"] == BASIC
    assert post["body"]["user_options"]["system"] == "a"
    assert post["body"]["misc"]["image"] == "a:1"
    env = post["body"]["env"]
    assert env["JUPYTERHUB_FLAVORS_UPDATE_URL"].endswith("/hub/api/outpostflavors/a")
    assert env["JUPYTERHUB_RECREATEFORWARD_URL"].endswith("/hub/api/recreateforward/a")
    assert "JUPYTERHUB_FLAVORS_UPDATE_TOKEN" not in env
    forward = [c for c in ssh_runner.calls if "forward" in c][0]
    assert forward[-1] == "tunnela@node-a.example" and "Port=2201" in " ".join(forward)
    state = sp.get_state()
    assert state["system"] == "a"
    # after a hub restart the system comes from the state, even without user_options
    sp2 = make_spawner("lab", systems=systems, _unset=("request_url", "request_headers", "svc_create", "ssh_node"))
    sp2.load_state(state)
    sp2.user_options = {}
    assert await sp2.poll() is None
    await sp2.stop()
    assert outpost.of("DELETE")[0]["headers"]["Authorization"] == BASIC


async def test_flavor_push_token_is_sent_when_declared(make_spawner, outpost, secrets_dir, monkeypatch):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    systems["a"]["flavors_update_token_file"] = systems["b"]["flavors_update_token_file"]
    sp = make_spawner("tok", systems=systems, _unset=("request_url", "request_headers", "svc_create", "ssh_node"))
    sp.user_options = {"system": "a"}
    env = (await sp.build_start_request()).env
    assert env["JUPYTERHUB_FLAVORS_UPDATE_TOKEN"] == "flavor-push-token"


async def test_one_system_needs_no_choice(make_spawner, outpost, secrets_dir, monkeypatch):
    systems = {"a": two_systems(outpost.url, secrets_dir, monkeypatch)["a"]}
    sp = make_spawner("one", systems=systems, _unset=("request_url", "request_headers", "svc_create", "ssh_node"))
    await sp.start()
    assert outpost.of("POST")[0]["headers"]["Authorization"] == BASIC
    assert sp.get_state()["system"] == "a"


@pytest.mark.parametrize("options,message", [
    ({}, "user_options.system is missing: choose one of a, b"),
    ({"system": "c"}, "user_options.system: 'c' is not a declared system (declared: a, b)"),
])
async def test_a_missing_or_unknown_system_is_refused_before_any_request(make_spawner, outpost, secrets_dir,
                                                                         monkeypatch, options, message):
    sp = make_spawner("x", systems=two_systems(outpost.url, secrets_dir, monkeypatch))
    sp.user_options = options
    with pytest.raises(SystemChoiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        await sp.start()
    assert outpost.requests == []


@pytest.mark.parametrize("change,key", [
    (lambda s: s["a"].pop("url"), 'systems["a"]["url"]'),
    (lambda s: s["a"].update(url="http://x/services"), 'systems["a"]["url"]'),
    (lambda s: s["a"].update(sshnode="typo"), 'systems["a"]["sshnode"]'),
    (lambda s: s["a"].update(password_file="/nonexistent/pw"), 'systems["a"]["password_file"]'),
    (lambda s: s["a"].update(password_file="relative/pw"), 'systems["a"]["password_file"]'),
    (lambda s: s["b"].update(password_env="OUTPOST_UNSET_VARIABLE"), 'systems["b"]["password_env"]'),
    (lambda s: s["b"].update(password_file="/x"), 'systems["b"]["password_file"]'),
    (lambda s: s["a"].update(password="inline"), 'systems["a"]["password"]'),
    (lambda s: s["a"].pop("username"), 'systems["a"]["username"]'),
    (lambda s: s["a"].update(ssh_port=70000), 'systems["a"]["ssh_port"]'),
    (lambda s: s["a"].update(ssh_port="22"), 'systems["a"]["ssh_port"]'),
    (lambda s: s["a"].update(svc_create="no"), 'systems["a"]["svc_create"]'),
    (lambda s: s.update({"bad name": {"url": "http://x"}}), "systems['bad name']"),
    (lambda s: s.update({"c": "http://x"}), 'systems["c"]'),
])
def test_misconfiguration_names_the_key(outpost, secrets_dir, monkeypatch, change, key):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    monkeypatch.delenv("OUTPOST_UNSET_VARIABLE", raising=False)
    change(systems)
    with pytest.raises(SystemsConfigError) as info:
        parse_systems(systems)
    assert any(key in problem for problem in info.value.problems), info.value.problems
    assert HUB_PASSWORD not in str(info.value) and "b-password" not in str(info.value)


def test_every_problem_is_listed_at_once(outpost, secrets_dir, monkeypatch):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    systems["a"]["ssh_port"] = 0
    systems["b"]["frobnicate"] = 1
    with pytest.raises(SystemsConfigError) as info:
        parse_systems(systems)
    assert len(info.value.problems) == 2


# ---------------------------------------------------------------------- the spawn form
FLAVORS_A = {
    "small": {"display_name": "Small", "description": "1 CPU", "max": 4, "current": 1, "weight": 1},
    "large": {"display_name": "Large <b>", "description": "8 CPUs", "max": 2, "current": 2, "weight": 2},
}


async def test_form_lists_systems_and_flavors_full_disabled_unreachable_unavailable(
        make_spawner, outpost, secrets_dir, monkeypatch):
    outpost.flavors = FLAVORS_A
    sp = make_spawner("f", systems=two_systems(outpost.url, secrets_dir, monkeypatch))
    sp.flavor_cache = FlavorCache()
    form = await sp.get_options_form()
    assert "System A" in form and "System B" in form and "the first one" in form
    assert 'name="system" value="a" checked' in form
    assert 'name="system" value="b" disabled' in form
    assert "Unavailable: the Outpost does not answer" in form
    assert 'name="flavor.a" value="small" checked' in form
    assert 'name="flavor.a" value="large" disabled' in form and "full: 2 of 2 in use" in form
    assert "1 of 4 in use" in form
    assert "Large &lt;b&gt;" in form and "Large <b>" not in form
    options = sp.options_from_form({"system": ["a"], "flavor.a": ["small"], "flavor.b": ["x"]})
    assert options == {"system": "a", "flavor": "small"}
    assert outpost.of("GET")[0]["headers"]["Authorization"] == BASIC


@pytest.mark.parametrize("formdata,message", [
    ({}, "Choose a system"), ({"system": ["zzz"]}, "not one of the systems"),
    ({"system": ["a"], "flavor.a": ["../x"]}, "flavor name is not valid"),
])
def test_form_input_is_validated(formdata, message, tmp_path):
    sp = OutpostSpawner(systems={"a": {"url": "http://a"}, "b": {"url": "http://b"}})
    with pytest.raises(ValueError, match=message):
        sp.options_from_form(formdata)


async def test_one_system_without_flavors_shows_no_form(make_spawner, outpost, secrets_dir, monkeypatch):
    sp = make_spawner("g", systems={"a": two_systems(outpost.url, secrets_dir, monkeypatch)["a"]})
    sp.flavor_cache = FlavorCache()
    assert await sp.get_options_form() == ""
    outpost.flavors = FLAVORS_A
    sp.flavor_cache = FlavorCache()
    form = await sp.get_options_form()
    assert 'type="hidden" name="system" value="a"' in form and "Small" in form
    assert sp.options_from_form({"flavor.a": ["small"]}) == {"system": "a", "flavor": "small"}


async def test_user_specific_flavors_when_auth_state_asks(make_spawner, outpost, secrets_dir, monkeypatch):
    outpost.flavors = FLAVORS_A
    outpost.user_flavors = {"small": {"display_name": "Small for you", "max": 4, "current": 0}}
    sp = make_spawner("u", systems={"a": two_systems(outpost.url, secrets_dir, monkeypatch)["a"]})
    sp.flavor_cache = FlavorCache()

    async def auth_state():
        return {"outpost_flavors": True, "name": "alice", "groups": ["g1"]}

    sp.user.get_auth_state = auth_state
    form = await sp.get_options_form()
    assert "Small for you" in form and "Large" not in form
    assert "1 of 4 in use" in form  # the hub-wide count, not the user list's
    assert outpost.of("POST")[0]["body"] == {"name": "alice", "groups": ["g1"]}


# ---------------------------------------------------------------------- Kubernetes profile list
PROFILES_A = {"profile_list": [
    {"slug": "small", "display_name": "Small", "description": "1 core", "default": False, "profile_options": {}},
    {"slug": "gpu", "display_name": "GPU <i>", "description": "A100", "default": True, "profile_options": {
        "image": {"display_name": "Image",
                  "choices": {"pytorch": {"display_name": "PyTorch", "default": True},
                              "tf": {"display_name": "TensorFlow", "default": False}},
                  "unlisted_choice": {"enabled": True, "display_name": "Other image",
                                      "validation_regex": "^nb:.+$", "validation_message": "nb:<tag>"}},
        "bad key!": {"display_name": "dropped", "choices": {"x": {"display_name": "x"}}}}},
    {"slug": "../evil", "display_name": "dropped"},
]}


async def test_form_shows_profiles_and_options_and_sends_the_choice(make_spawner, outpost, secrets_dir, monkeypatch):
    outpost.profiles = PROFILES_A
    sp = make_spawner("p", systems={"a": two_systems(outpost.url, secrets_dir, monkeypatch)["a"]})
    sp.flavor_cache = FlavorCache()
    form = await sp.get_options_form()
    assert 'name="profile.a" value="small">' in form
    assert 'name="profile.a" value="gpu" checked' in form
    assert "GPU &lt;i&gt;" in form and "GPU <i>" not in form
    assert '<select name="profile-option.a.gpu.image">' in form
    assert '<option value="pytorch" selected>PyTorch</option><option value="tf">TensorFlow</option>' in form
    assert '<option value="unlisted_choice">Other image</option>' in form
    assert 'name="profile-option.a.gpu.image.unlisted"' in form and 'placeholder="nb:&lt;tag&gt;"' in form
    assert "dropped" not in form and "evil" not in form
    assert outpost.profile_requests == 1
    await sp.get_options_form()
    assert outpost.profile_requests == 1  # cached like the flavors

    assert sp.options_from_form({"profile.a": ["gpu"], "profile-option.a.gpu.image": ["tf"],
                                 "profile-option.a.small.x": ["y"]}) == {
        "system": "a", "profile": "gpu", "image": "tf"}
    assert sp.options_from_form({"profile.a": ["gpu"], "profile-option.a.gpu.image": ["unlisted_choice"],
                                 "profile-option.a.gpu.image.unlisted": ["nb:2025"]}) == {
        "system": "a", "profile": "gpu", "image": "unlisted_choice", "image--unlisted-choice": "nb:2025"}


@pytest.mark.parametrize("formdata,message", [
    ({"profile.a": ["../x"]}, "profile name is not valid"),
    ({"profile.a": ["gpu"], "profile-option.a.gpu.system": ["x"]}, "profile option name is not valid"),
    ({"profile.a": ["gpu"], "profile-option.a.gpu.image": ["a b"]}, "choice for 'image' is not valid"),
    ({"profile.a": ["gpu"], "profile-option.a.gpu.image": ["unlisted_choice"]}, "Type a value for 'image'"),
])
def test_profile_form_input_is_validated(formdata, message):
    sp = OutpostSpawner(systems={"a": {"url": "http://a"}})
    with pytest.raises(ValueError, match=message):
        sp.options_from_form(formdata)


async def test_outpost_without_profiles_endpoint_shows_flavors_only(make_spawner, outpost, secrets_dir, monkeypatch):
    outpost.flavors = FLAVORS_A  # outpost.profiles stays None: the endpoint answers 404
    sp = make_spawner("q", systems={"a": two_systems(outpost.url, secrets_dir, monkeypatch)["a"]})
    sp.flavor_cache = FlavorCache()
    form = await sp.get_options_form()
    assert "Small" in form and 'name="profile.a"' not in form
    assert outpost.profile_requests == 1


# ---------------------------------------------------------------------- 200 users, one request
async def test_200_forms_send_one_flavor_request_per_system_per_period(make_spawner, outpost, secrets_dir,
                                                                        monkeypatch):
    """200 users open the spawn form within a moment: each Outpost is asked once per cache period.
    Counted where the requests arrive: at the (loopback HTTP) Outpost, and at a listening socket
    for the second system."""
    outpost.flavors = FLAVORS_A
    outpost.flavors_delay = 0.3  # the first answer is slow, so the other 199 forms wait for it
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    b_hits = []

    async def count_b(reader, writer):
        b_hits.append(1)
        await reader.read(4096)
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    port = free_port()
    server_b = await asyncio.start_server(count_b, "127.0.0.1", port)
    systems["b"]["url"] = f"http://127.0.0.1:{port}"
    now = [1000.0]
    cache = FlavorCache(clock=lambda: now[0])
    spawners = []
    for i in range(200):
        sp = make_spawner("", user=f"user{i:03d}", systems=systems, flavors_cache_seconds=30)
        sp.flavor_cache = cache
        spawners.append(sp)
    try:
        forms = await asyncio.gather(*(sp.get_options_form() for sp in spawners))
        assert all("System A" in f and "System B" in f and "1 of 4 in use" in f for f in forms)
        assert all("Unavailable: the Outpost answered 503" in f for f in forms)
        assert len(outpost.of("GET")) == 1
        assert len(b_hits) == 1
        # within the period: still no new request
        now[0] += 29
        await asyncio.gather(*(sp.get_options_form() for sp in spawners[:50]))
        assert len(outpost.of("GET")) == 1 and len(b_hits) == 1
        # a usage push refreshes system a without asking it
        from outpostspawner import handlers  # noqa: F401  (the push handler writes into the cache)
        cache.pushed("a", {**FLAVORS_A, "small": {**FLAVORS_A["small"], "current": 3}})
        now[0] += 20  # past the first period for b, inside the period of the push for a
        forms = await asyncio.gather(*(sp.get_options_form() for sp in spawners))
        assert all("3 of 4 in use" in f for f in forms)
        assert len(outpost.of("GET")) == 1
        assert len(b_hits) == 2
    finally:
        server_b.close()
        await server_b.wait_closed()


async def test_a_password_file_gone_after_start_up_shows_its_key_not_its_content(make_spawner, outpost, secrets_dir,
                                                                                 monkeypatch):
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    sp = make_spawner("gone", systems=systems)
    sp.flavor_cache = FlavorCache()
    (secrets_dir / "a-password").unlink()
    form = await sp.get_options_form()
    assert 'c.OutpostSpawner.systems[&quot;a&quot;][&quot;password_file&quot;]: cannot read' in form
    assert 'name="system" value="a" disabled' in form
    assert outpost.requests == []


async def test_a_flavor_the_user_runs_up_to_its_per_user_limit_is_disabled(make_spawner, outpost, secrets_dir,
                                                                           monkeypatch):
    outpost.flavors = {"small": {"display_name": "Small", "max": 10, "current": 1, "maxPerUser": 1},
                       "big": {"display_name": "Big", "max": 10, "current": 0}}
    systems = two_systems(outpost.url, secrets_dir, monkeypatch)
    running = make_spawner("first", systems=systems, _unset=("request_url", "request_headers", "svc_create",
                                                              "ssh_node"))
    running.user_options = {"system": "a", "flavor": "small"}
    await running.start()
    running._spawn_pending = True  # active, as JupyterHub sees it while the server comes up
    form_spawner = make_spawner("second", systems=systems)
    form_spawner.flavor_cache = FlavorCache()
    form = await form_spawner.get_options_form()
    assert 'name="flavor.a" value="small" disabled' in form and "you run 1 of the 1 allowed per user" in form
    assert 'name="flavor.a" value="big" checked' in form
