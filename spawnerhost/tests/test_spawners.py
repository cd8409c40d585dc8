"""The test spawner classes: progress, state, slow start and cancel, failure, stubborn stop, stdout."""

import asyncio
import time


def spec(name, **extra):
    s = {"hub": "hub-a", "name": name, "start_id": "3", "env": {"JUPYTERHUB_USER": "bob"},
         "user_options": {}, "misc": {}, "flavor": None, "certs": None, "trust_bundles": {},
         "auth_state": {}, "work_dir": ""}
    s.update(extra)
    return s


async def test_progress_events_relayed_in_order_before_the_answer(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="ProgressSpawner")
    result = await host.ok("start", server="p1", spec=spec("p1"))
    assert result["address"] == "127.0.0.1:4567"
    assert [e["data"] for e in host.events("progress", "p1")] == [
        {"progress": 30, "message": "queued", "html_message": "<b>queued</b>"},
        {"progress": 60, "message": "scheduled", "html_message": "<b>scheduled</b>"},
        {"progress": 90, "message": "booting", "html_message": "<b>booting</b>"},
    ]


async def test_sanitize_hook_sees_the_raw_tuple(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="RecordingSpawner", TEST_SANITIZE="1")
    assert (await host.ok("start", server="z", spec=spec("z")))["address"] == "127.0.0.1--4567"


async def test_state_round_trip_across_host_restart(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="StateSpawner")
    started = await host.ok("start", server="st", spec=spec("st"))
    assert started["state"] == {"job_id": "job-st-3", "polls": 0}
    assert host.events("state", "st")[-1]["state"] == started["state"]

    polled = await host.ok("poll", server="st")
    assert polled == {"status": None, "state": {"job_id": "job-st-3", "polls": 1}}
    assert host.events("state", "st")[-1]["state"] == polled["state"]  # a poll that changed it

    host.kill()
    await host.ended()
    host2 = await start_host("testspawners_config.py", TEST_SPAWNER="StateSpawner")
    polled = await host2.ok("poll", server="st", spec=spec("st"), state=polled["state"])
    assert polled == {"status": None, "state": {"job_id": "job-st-3", "polls": 2}}
    await host2.ok("stop", server="st", now=False)


async def test_cancel_during_start_answers_cancelled_then_stop_runs(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="SlowSpawner")
    start = asyncio.ensure_future(host.call("start", server="slow", spec=spec("slow")))
    for _ in range(100):
        if (tmp_path / "slow.starting").exists():
            break
        await asyncio.sleep(0.05)
    assert await host.ok("cancel", server="slow") == {}
    answer = await start
    assert not answer["ok"]
    assert answer["error"]["class"] == "CancelledError"
    assert (tmp_path / "slow.cancelled").exists()
    # the spawner stays known until the Outpost stops it
    assert (await host.ok("poll", server="slow"))["status"] == 0
    await host.ok("stop", server="slow")
    assert (tmp_path / "slow.stopped").exists()


async def test_stop_during_start_cancels_the_start_and_stops(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="SlowSpawner")
    start = asyncio.ensure_future(host.call("start", server="slow2", spec=spec("slow2")))
    while not (tmp_path / "slow2.starting").exists():
        await asyncio.sleep(0.05)
    assert await host.ok("stop", server="slow2") == {}
    assert (await start)["error"]["class"] == "CancelledError"
    assert (tmp_path / "slow2.stopped").exists()


async def test_failing_start_reports_class_and_message(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="FailingSpawner")
    answer = await host.call("start", server="f", spec=spec("f"))
    assert not answer["ok"]
    error = answer["error"]
    assert (error["module"], error["class"]) == ("builtins", "RuntimeError")
    assert error["message"] == "the batch system refused f: quota exceeded"
    assert "testspawners.py" in error["traceback"]
    assert (await host.ok("hello"))["protocol"] == 1  # the host lives on


async def test_stop_answers_when_the_spawners_stop_returns_even_if_it_ignored_it(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="StubbornSpawner")
    await host.ok("start", server="stub", spec=spec("stub"))
    t0 = time.monotonic()
    assert await host.ok("stop", server="stub") == {}
    assert time.monotonic() - t0 >= 1.0
    assert (tmp_path / "stub.stopped").read_text() == "but still running\n"
    # the host does not second-guess stop(): the server is forgotten all the same
    assert (await host.call("poll", server="stub"))["error"]["class"] == "UnknownServer"


async def test_printing_spawner_cannot_corrupt_the_channel(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="PrintingSpawner")
    assert (await host.ok("start", server="pr", spec=spec("pr")))["address"] == "127.0.0.1:4567"
    assert await host.ok("logs", server="pr", lines=2) == {"lines": ["line 2", "line 3"]}
    assert (await host.ok("hello"))["protocol"] == 1
    stderr = host.stderr()
    assert "a spawner printing to stdout" in stderr
    assert "a child process writing to fd 1" in stderr
    assert "raw bytes on fd 1" in stderr
    assert all(line.startswith(b"{\"") for line in host.lines)


async def test_logs_without_the_capability_is_empty_and_forget_evicts(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="RecordingSpawner")
    await host.ok("start", server="r", spec=spec("r"))
    assert await host.ok("logs", server="r", lines=10) == {"lines": []}
    assert await host.ok("forget", server="r") == {}
    assert not (tmp_path / "r.stopped").exists()  # forget does not stop
    assert (await host.call("logs", server="r"))["error"]["class"] == "UnknownServer"
    assert await host.ok("stop", server="r") == {}  # unknown server, no spec: nothing to do


async def test_twenty_slow_starts_run_concurrently(start_host):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="SlowSpawner")
    t0 = time.monotonic()
    results = await asyncio.gather(*[
        host.ok("start", server=f"c{i}", spec=spec(f"c{i}", misc={"delay": 1.5})) for i in range(20)
    ])
    elapsed = time.monotonic() - t0
    assert len(results) == 20 and all(r["address"] == "127.0.0.1:4567" for r in results)
    assert elapsed < 4.0, f"20 starts of 1.5 s took {elapsed:.1f} s: not concurrent"
    # a poll is answered while starts are running
    slow = asyncio.ensure_future(host.call("start", server="c-late", spec=spec("c-late", misc={"delay": 5})))
    t0 = time.monotonic()
    assert (await host.ok("poll", server="c0"))["status"] is None
    assert time.monotonic() - t0 < 1.0
    await host.ok("cancel", server="c-late")
    assert (await slow)["error"]["class"] == "CancelledError"


async def test_eof_cancels_running_starts_and_exits_zero(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="SlowSpawner")
    start = asyncio.ensure_future(host.call("start", server="e", spec=spec("e"), timeout=10))
    while not (tmp_path / "e.starting").exists():
        await asyncio.sleep(0.05)
    t0 = time.monotonic()
    host.proc.stdin.close()
    assert await asyncio.wait_for(host.proc.wait(), 10) == 0
    assert time.monotonic() - t0 < 5
    assert (tmp_path / "e.cancelled").exists()
    start.cancel()


async def test_state_of_a_start_in_progress_is_sent_so_a_killed_host_leaves_it_stoppable(start_host, tmp_path):
    host = await start_host("testspawners_config.py", TEST_SPAWNER="QueuedJobSpawner")
    starting = asyncio.ensure_future(host.call("start", server="q", spec=spec("q")))
    deadline = time.monotonic() + 5
    while not host.events("state", "q") or not host.events("state", "q")[-1]["state"]:
        assert time.monotonic() < deadline, "no state event while the start runs"
        await asyncio.sleep(0.05)
    state = host.events("state", "q")[-1]["state"]
    assert state == {"job_id": "job-q-3", "polls": 0}
    assert not starting.done()

    host.kill()
    await host.ended()
    starting.cancel()
    host2 = await start_host("testspawners_config.py", TEST_SPAWNER="QueuedJobSpawner")
    await host2.ok("stop", server="q", spec=spec("q"), state=state, now=True)
    assert (tmp_path / "q.stopped").read_text() == "job-q-3\n"


async def test_stop_without_state_of_an_unknown_server_does_not_build_a_spawner(start_host):
    host = await start_host("name_error.py")
    # the config file cannot even be loaded: a stop with nothing to stop must not try
    assert await host.ok("stop", server="never", spec=spec("never"), state={}, now=False) == {}
    failed = await host.call("stop", server="never", spec=spec("never"), state={"job_id": "j"}, now=False)
    assert not failed["ok"] and failed["error"]["class"] == "ConfigFileError"
