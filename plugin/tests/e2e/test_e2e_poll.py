"""Polls through the shared status read (GET /services?poll=true) against the real Outpost: a server that ends is
noticed, the others keep running, and the hub asked the Outpost with the list, not once per server."""
from __future__ import annotations

import os
import re
import signal
import subprocess

import pytest
import requests

from harness import HUB_EXTRA_CONFIG, wait_until
from test_e2e import start_server, stop_server, tunnel_of

POLL_CONFIG = """
c.Spawner.poll_interval = 2
c.OutpostSpawner.poll_jitter = 0
c.OutpostSpawner.poll_bulk_max_age = 1
"""


@pytest.fixture(scope="module")
def hubpoll(hub_factory):
    hub = hub_factory("hubpoll", extra=HUB_EXTRA_CONFIG + POLL_CONFIG).start()
    for user in ("carol", "dave"):
        assert hub.api("POST", f"/users/{user}").status_code in (201, 409)
    yield hub


def requests_to(outpost, route: str) -> float:
    """GET requests the Outpost answered on ``route`` (its /metrics, any status)."""
    text = requests.get(f"{outpost['url']}/metrics", timeout=10).text
    pattern = re.compile(r'^outpost_http_request_duration_seconds_count\{method="GET",route="' + re.escape(route)
                         + r'",status="\d+"\} (\S+)$', re.M)
    return sum(float(v) for v in pattern.findall(text))


def listener_pid(port: int) -> int:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return int(re.search(r"pid=(\d+)", out).group(1))


def test_an_ended_server_is_noticed_through_the_shared_read(hubpoll, outpost):
    start_server(hubpoll, "carol", "")
    start_server(hubpoll, "dave", "")
    _, remote = tunnel_of(hubpoll, "carol", "")
    bulk_before, single_before = requests_to(outpost, "/services/"), requests_to(outpost, "/services/{**path}")

    os.kill(listener_pid(remote), signal.SIGKILL)  # the server dies on the Outpost's side
    wait_until(lambda: hubpoll.server_model("carol", "") is None, 60, interval=0.5,
               what="the hub sees carol's server stopped")

    assert hubpoll.server_model("dave", "")["ready"], "the other server keeps running"
    assert requests_to(outpost, "/services/") > bulk_before, "the polls read the list"
    assert requests_to(outpost, "/services/{**path}") == single_before, "no poll of its own"
    stop_server(hubpoll, "dave", "")
