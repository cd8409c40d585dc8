"""Pure helpers: hook resolution, address parsing, name templates, events."""
import pytest

from outpostspawner.models import (
    ServerStatus,
    expand_name_template,
    is_repeat,
    make_event,
    resolve,
    split_service_address,
    stamp_incoming_event,
)


async def test_resolve_value_function_coroutine():
    async def coro(a, b):
        return a + b

    assert await resolve(5, 1, 2) == 5
    assert await resolve(lambda a, b: a * b, 3, 4) == 12
    assert await resolve(coro, 3, 4) == 7
    assert await resolve({"a": 1}) == {"a": 1}
    assert await resolve(None) is None


@pytest.mark.parametrize("service,expected", [
    ("127.0.0.1:8888", ("127.0.0.1", 8888)),
    ("http://pod.ns.svc:8888", ("pod.ns.svc", 8888)),
    ("https://h:1/some/path", ("h", 1)),
    ("[::1]:9000", ("::1", 9000)),
])
def test_split_service_address(service, expected):
    assert split_service_address(service) == expected


@pytest.mark.parametrize("bad", ["", "host", "a:b:c", "host:0", "host:70000", None, "h:port"])
def test_split_service_address_errors(bad):
    with pytest.raises(ValueError):
        split_service_address(bad)


def test_name_template():
    kw = dict(userid=7, hubnamespace="jh")
    assert expand_name_template("jupyter-{username}--{servername}", username="alice",
                                servername="", **kw) == "jupyter-alice"
    assert expand_name_template("jupyter-{username}--{servername}", username="ann.b",
                                servername="gpu 1", **kw) == "jupyter-ann-2eb--gpu-201"
    assert expand_name_template("{userid}-{hubnamespace}-{unescaped_username}", username="x",
                                servername="", **kw) == "7-jh-x"
    long = expand_name_template("jupyter-{username}--{servername}", username="u" * 60,
                                servername="s" * 30, **kw)
    assert len(long) == 63 and long[:54] == "jupyter-" + "u" * 46


def test_events_are_escaped_and_stamped():
    ev = make_event(100, "fail", details="<script>x</script>", failed=True)
    assert "<script>" not in ev["html_message"] and ev["failed"] is True
    inc = stamp_incoming_event({"progress": 40, "html_message": "<details><summary>pulling</summary>x</details>"})
    assert inc["html_message"].startswith("<details><summary>20")
    plain = stamp_incoming_event({"progress": 40, "message": "<b>m</b>"})
    assert plain["html_message"] == "&lt;b&gt;m&lt;/b&gt;"


def test_server_status_from_json():
    assert ServerStatus.from_json({"status": None, "logs": ["a"]}).status is None
    assert ServerStatus.from_json({"status": 3, "logs": "a\nb"}).logs == ["a", "b"]
    assert ServerStatus.from_json("junk").status is None


def test_is_repeat_matches_an_id_already_recorded():
    recorded = [make_event(0, "Server requested"), {"progress": 30, "message": "a", "id": "e1"}]
    assert is_repeat({"progress": 30, "message": "a", "id": "e1"}, recorded)
    assert is_repeat({"progress": 99, "message": "changed by a hook", "id": "e1"}, recorded)
    assert not is_repeat({"progress": 40, "message": "b", "id": "e2"}, recorded)


@pytest.mark.parametrize("event", [
    {"progress": 30, "message": "a"},              # an Outpost without ids
    {"progress": 30, "message": "a", "id": ""},
    {"progress": 30, "message": "a", "id": None},
    {"progress": 30, "message": "a", "id": 1},
])
def test_is_repeat_never_for_events_without_a_usable_id(event):
    recorded = [{"progress": 30, "message": "a"}, {"progress": 30, "message": "a", "id": ""},
                {"progress": 30, "message": "a", "id": None}, {"progress": 30, "message": "a", "id": 1}]
    assert not is_repeat(event, recorded)
