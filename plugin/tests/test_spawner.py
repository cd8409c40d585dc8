"""Start / poll / stop / state / events of OutpostSpawner against the fake Outpost."""
import asyncio

import pytest

from outpostspawner import OutpostSpawner
from outpostspawner._version import STATE_VERSION
from outpostspawner.client import OutpostError


async def test_start_poll_stop_named_server(make_spawner, outpost):
    sp = make_spawner("gpu", poll_bulk_max_age=0)  # every poll its own request (the bulk read: test_bulkpoll.py)
    await sp.run_pre_spawn_hook()
    url = await sp.start()
    assert url == "http://127.0.0.1:34567"
    post = outpost.of("POST")[0]
    assert post["path"] == "/services"
    body = post["body"]
    assert body["name"] == "gpu"
    assert body["user_options"]["start_id"] == sp.start_id
    assert body["misc"]["port"] == sp.port and body["misc"]["ip"] == "0.0.0.0"
    assert body["certs"] == {} and body["internal_trust_bundles"] == {}
    assert await sp.poll() is None
    get = outpost.of("GET")[0]
    assert get["path"] == f"/services/gpu/{sp.start_id}"
    await sp.stop()
    assert outpost.of("DELETE")[0]["path"] == f"/services/gpu/{sp.start_id}"
    assert await sp.poll() == 0
    assert outpost.servers == {}


async def test_default_server_has_a_routable_name(make_spawner, outpost):
    sp = make_spawner("", poll_bulk_max_age=0)
    await sp.start()
    assert outpost.of("POST")[0]["body"]["name"] == "default"
    assert await sp.poll() is None
    assert outpost.of("GET")[0]["path"] == f"/services/default/{sp.start_id}"
    await sp.stop()
    assert outpost.servers == {}


async def test_first_event_is_kept(make_spawner):
    sp = make_spawner("a")
    await sp.run_pre_spawn_hook()
    await sp.start()
    assert sp.events[0]["progress"] == 20
    assert "Sending request" in sp.events[0]["message"]
    assert "Outpost communication successful" in sp.events[1]["message"]


async def test_async_start_sends_header_and_waits_for_tunnel(make_spawner, outpost):
    sp = make_spawner("a", start_async=True)
    url = await sp.start()
    assert outpost.of("POST")[0]["headers"]["Execution-Type"] == "async"
    assert url == f"http://127.0.0.1:{sp.port}"


async def test_async_start_with_service_uses_svc_dns(make_spawner):
    sp = make_spawner("a", start_async=True, svc_create=True, namespace="jh")
    url = await sp.start()
    assert url == f"http://jupyter-alice--a.jh.svc:{sp.port}"


async def test_env_urls_and_filter(make_spawner, outpost):
    sp = make_spawner("my server", environment={"FOO": "1", "JUPYTERHUB_X": "2"},
                      public_api_url="http://public.example/hub/api/",
                      custom_env=lambda s, uo, api: {"EXTRA": api})
    await sp.start()
    env = outpost.of("POST")[0]["body"]["env"]
    assert env["JUPYTERHUB_API_URL"] == "http://public.example/hub/api"
    assert env["JUPYTERHUB_EVENTS_URL"] == "http://public.example/hub/api/users/progress/events/alice/my%20server?batch=true"
    assert env["JUPYTERHUB_SETUPTUNNEL_URL"] == "http://public.example/hub/api/users/setuptunnel/alice/my%20server"
    assert env["JUPYTERHUB_ACTIVITY_URL"] == "http://public.example/hub/api/users/alice/activity"
    assert env["JUPYTERHUB_X"] == "2" and "FOO" not in env and "JPY_API_TOKEN" not in env
    assert env["EXTRA"] == "http://public.example/hub/api"
    assert env["JUPYTERHUB_API_TOKEN"] == "server-token-xyz"
    assert env["JUPYTERHUB_USER_ID"] == str(sp.user.id)
    assert env["JUPYTERHUB_SERVICE_URL"].startswith(f"http://0.0.0.0:{sp.port}/")


async def test_custom_misc_dict_is_not_mutated(make_spawner, outpost):
    misc = {"image": "x"}
    sp = make_spawner("a", custom_misc=misc)
    await sp.start()
    assert misc == {"image": "x"}
    sent = outpost.of("POST")[0]["body"]["misc"]
    assert sent["image"] == "x" and sent["services_enabled"] is True
    sp2 = make_spawner("b", custom_misc=misc, custom_misc_disable_default=True)
    await sp2.start()
    assert outpost.of("POST")[1]["body"]["misc"] == {"image": "x"}


async def test_start_error_419_is_reported(make_spawner, outpost):
    outpost.start_reply = (419, {"module": "builtins", "class": "Exception", "traceback": "tb",
                                 "args": ["No quota <left>"], "kwargs": {}})
    seen = []
    sp = make_spawner("a", failed_spawn_request_hook=lambda s, e: seen.append(e))
    with pytest.raises(OutpostError) as info:
        await sp.start()
    assert "builtinsException: No quota <left>" in str(info.value)
    assert info.value.status_code == 419 and info.value.outpost_status == 419
    assert seen and seen[0] is info.value
    last = sp.events[-1]
    assert last["failed"] is True and "&lt;left&gt;" in last["html_message"]
    assert outpost.of("DELETE"), "cleanup DELETE after a failed start"
    assert await sp.poll() == 0


async def test_non_json_success_body_is_tolerated(make_spawner, outpost):
    outpost.start_reply = (200, "not json")
    sp = make_spawner("a", start_async=True)
    await sp.start()


@pytest.mark.parametrize("code,keep404,keepfail,expected", [
    (404, False, True, 0), (404, True, True, None),
    (500, False, True, None), (500, False, False, 0),
])
async def test_poll_failures(make_spawner, outpost, code, keep404, keepfail, expected):
    sp = make_spawner("a", request_404_poll_keep_running=keep404,
                      request_failed_poll_keep_running=keepfail)
    await sp.start()
    outpost.poll_reply = (code, {"detail": "Item not found"} if code == 404 else {"x": 1})
    assert await sp.poll() == expected


async def test_poll_connection_refused_keeps_running(make_spawner, outpost):
    sp = make_spawner("a")
    await sp.start()
    sp.request_url = "http://127.0.0.1:1/services"
    assert await sp.poll() is None


@pytest.mark.parametrize("verdict,expected,requests", [
    (True, None, 1), (False, None, 0), (None, None, 0), (3, 3, 0),
])
@pytest.mark.parametrize("kind", ["function", "coroutine"])
async def test_pre_poll_hook(make_spawner, outpost, verdict, expected, requests, kind):
    if kind == "function":
        hook = lambda s: verdict  # noqa: E731
    else:
        async def hook(s):
            return verdict
    sp = make_spawner("a", pre_poll_hook=hook)
    await sp.start()
    assert await sp.poll() == expected
    assert len(outpost.of("GET")) == requests


async def test_poll_reports_exit_and_cleans_up_without_user_stop(make_spawner, outpost):
    sp = make_spawner("a")
    await sp.start()
    outpost.servers[("a", sp.start_id)]["status"] = 7
    called = []
    sp.user.stop = lambda *a, **k: called.append(a)  # must never be called by poll
    assert await sp.poll() == 7
    assert called == []
    assert outpost.of("DELETE"), "the Outpost record is removed"
    assert await sp.poll() == 7  # stays stopped, no further requests
    assert len(outpost.of("GET")) == 1


async def test_stop_collect_logs_and_async(make_spawner, outpost):
    sp = make_spawner("a", collect_logs=True, stop_async=lambda s: False)
    await sp.start()
    await sp.stop()
    req = outpost.of("DELETE")[0]
    assert req["query"] == "collect_logs=true"
    assert "Execution-Type" not in req["headers"]
    assert sp.logs == ["bye"]
    sp2 = make_spawner("b", stop_async=True)
    await sp2.start()
    await sp2.stop()
    assert outpost.of("DELETE")[1]["headers"]["Execution-Type"] == "async"


async def test_poll_collects_logs(make_spawner, outpost):
    sp = make_spawner("a", collect_logs_polling=True)
    await sp.start()
    await sp.poll()
    assert outpost.of("GET")[0]["query"] == "collect_logs=true"
    assert sp.logs == ["line1", "line2"]


async def test_stop_is_idempotent_and_runs_pre_stop_hook(make_spawner, outpost):
    hooked = []

    async def pre_stop(s):
        hooked.append(s.name)

    sp = make_spawner("a", pre_stop_hook=pre_stop)
    await sp.start()
    await asyncio.gather(sp.stop(), sp.stop())
    await sp.stop()
    assert len(outpost.of("DELETE")) == 1
    assert hooked == ["a"]


async def test_state_roundtrip_and_restore(make_spawner, outpost):
    sp = make_spawner("a", custom_poll_interval=5)
    await sp.start()
    state = sp.get_state()
    assert state["outpostspawner_version"] == STATE_VERSION
    assert state["start_id"] == sp.start_id and state["port"] == sp.port
    assert state["poll_interval_ms"] == 5000
    sp2 = make_spawner("a2")
    sp2.load_state(state)
    assert sp2.start_id == sp.start_id and sp2.port == sp.port
    assert sp2._poll_interval_ms == 5000
    outpost.servers[("a2", sp.start_id)] = outpost.servers[("a", sp.start_id)]
    assert await sp2.poll() is None
    sp2.clear_state()
    assert sp2.start_id == "" and "start_id" not in sp2.get_state()
    assert await sp2.poll() == 0


async def test_load_state_of_the_original_plugin(make_spawner, outpost):
    sp = make_spawner("a")
    sp.load_state({"start_id": "abc", "custom_port": 4711, "exitCode": None,
                   "port_forward_info": {}, "events": [], "logs": []})
    assert sp.port == 4711 and sp.start_id == "abc" and sp._remote_active


async def test_restart_recreates_forward_when_configured(make_spawner, outpost, ssh_runner):
    sp = make_spawner("a", ssh_during_startup=True, ssh_key="/k/id")
    await sp.start()
    state = sp.get_state()
    assert state["tunnels"]["local"]["spec"].endswith(":127.0.0.1:34567")
    ssh_runner.calls.clear()
    # healing off: nothing listens on the port here, so a healer would re-create it on every poll
    sp2 = make_spawner("a", ssh_recreate_at_start=True, ssh_forward_heal=False)
    sp2.load_state(state)
    assert await sp2.poll() is None
    assert "-O forward" in ssh_runner.ops()
    ssh_runner.calls.clear()
    assert await sp2.poll() is None  # only the first poll after a restart
    assert ssh_runner.calls == []


async def test_a_forward_recreated_after_a_restart_is_not_checked_again_in_the_same_poll(
        make_spawner, outpost, ssh_runner, stop_forward_watcher):
    sp = make_spawner("a", ssh_during_startup=True, ssh_key="/k/id")
    await sp.start()
    state = sp.get_state()
    ssh_runner.calls.clear()
    sp2 = make_spawner("a", ssh_recreate_at_start=True, ssh_forward_heal=True, ssh_forward_check_interval=0)
    sp2.load_state(state)
    assert await sp2.poll() is None
    # the master asked (opened early, while the Outpost answers), its forward, then nothing: no -O check of
    # the forward, no connection through it (a restart has hundreds at once)
    assert ssh_runner.ops() == ["-O check", "-O forward"]
    assert sp2 in stop_forward_watcher._spawners  # the periodic check still watches it


async def test_restart_without_tunnel_does_not_stop(make_spawner, outpost):
    sp = make_spawner("a")
    await sp.start()  # direct connection, no tunnel
    sp2 = make_spawner("a", ssh_recreate_at_start=True)
    sp2.load_state(sp.get_state())
    assert await sp2.poll() is None
    assert not outpost.of("DELETE")


async def until(condition, timeout=10.0):
    """Waits until condition() holds (what a test observes), failing after timeout seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_cancel_during_start_stops_remote_server(make_spawner, outpost):
    outpost.start_delay = 0.5
    sp = make_spawner("a")
    task = asyncio.ensure_future(sp.start())
    await until(lambda: outpost.of("POST"))  # the start request is with the Outpost
    assert await sp.cancel_start("Outpost reported failure")
    with pytest.raises(Exception) as info:
        await task
    assert "Outpost reported failure" in str(info.value)
    await until(lambda: outpost.posts_answered == 1 and outpost.of("DELETE"))  # the fake finishes its POST
    # the DELETE was sent during cleanup; the server the late POST created may
    # still be there only if the DELETE came first - so clean it like JupyterHub
    assert outpost.of("DELETE")
    assert any(e.get("html_message") == "JupyterLab is cancelling the start." for e in sp.events)


async def test_external_cancel_stops_remote_server(make_spawner, outpost):
    sp = make_spawner("a", ssh_during_startup=True)
    original = sp._connect

    connecting = asyncio.Event()

    async def slow_connect(service):
        connecting.set()
        await asyncio.sleep(5)
        return await original(service)

    sp._connect = slow_connect
    task = asyncio.ensure_future(sp.start())
    await asyncio.wait_for(connecting.wait(), 10)  # started on the Outpost, now connecting
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outpost.of("DELETE")
    assert outpost.servers == {}
    assert await sp.poll() == 0


async def test_check_allowed_refuses(make_spawner, outpost):
    def check(spawner, user_options):
        if not user_options.get("ok"):
            raise ValueError("not allowed")

    sp = make_spawner("a", check_allowed=check)
    with pytest.raises(ValueError):
        await sp.start()
    assert outpost.of("POST") == []
    sp.user_options = {"ok": True}
    await sp.start()


async def test_progress_yields_events_until_done(make_spawner):
    sp = make_spawner("a")
    await sp.run_pre_spawn_hook()
    sp._spawn_pending = True
    fut = asyncio.get_running_loop().create_future()
    sp._spawn_future = fut
    got = []

    async def consume():
        async for ev in sp._generate_progress():
            got.append(ev)

    consumer = asyncio.ensure_future(consume())
    await until(lambda: len(got) == 2, timeout=3)  # the first two, then the consumer waits for more
    sp.add_event({"progress": 50, "message": "half"})
    await until(lambda: len(got) == 3, timeout=3)
    fut.set_result(None)
    await asyncio.wait_for(consumer, 3)
    assert [e["progress"] for e in got] == [0, 20, 50]


async def test_progress_without_first_default_event(make_spawner):
    async def no(spawner):
        return False

    sp = make_spawner("a", show_first_default_event=no)
    await sp.run_pre_spawn_hook()
    sp._spawn_pending = True
    sp.add_event({"progress": 100, "failed": True, "message": "x"})
    got = [e async for e in sp._generate_progress()]
    assert got[0]["progress"] == 20 and got[-1]["failed"]


async def test_poll_interval_and_jitter(make_spawner):
    sp = make_spawner("a", custom_poll_interval=lambda s, uo: 2500, poll_jitter=0.2)
    await sp.start()
    sp.start_polling()
    assert sp._poll_callback.callback_time == 2500
    assert sp._poll_callback.jitter == 0.2
    sp.stop_polling()
    sp3 = make_spawner("c")
    await sp3.start()
    sp3.start_polling()
    assert sp3._poll_callback.callback_time == 30000
    sp3.stop_polling()


async def test_apply_user_options_and_group_overrides(make_spawner, db):
    from jupyterhub import orm

    sp = make_spawner("a", apply_user_options={"port_opt": "custom_port"},
                      group_overrides={"01": {"groups": ["gpu"],
                                              "spawner_override": {"custom_misc": {"gpu": True}}}})
    group = orm.Group(name="gpu")
    db.add(group)
    sp.user.orm_user.groups.append(group)
    db.commit()
    sp.user_options = {"port_opt": "4242"}
    await sp.run_pre_spawn_hook()
    assert sp.custom_port == 4242
    assert sp.custom_misc == {"gpu": True}
    await sp.start()
    assert sp.port == 4242


def test_is_a_jupyterhub_spawner():
    from jupyterhub.spawner import Spawner

    assert issubclass(OutpostSpawner, Spawner)
