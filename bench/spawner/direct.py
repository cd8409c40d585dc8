"""The baseline of bench/spawner: the same NoopSpawner driven directly, in one Python process, as
JupyterHub drives a spawner (no Outpost, no pipe, no host).

For each of --servers servers: build the spawner (a user and hub object, as JupyterHub gives it),
``await start()``; then ``await poll()`` each; then ``await stop()`` each. Each call is timed
(building the spawner counts as part of the start). Resident memory (VmRSS) is read before the first
start and with every server running, so the memory each running spawner takes in a Python process
shows next to the host's. Prints one JSON object.
"""

import argparse
import asyncio
import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchspawners import OWN_TIME  # noqa: E402
from benchspawners import NoopSpawner  # noqa: E402


class User:
    """What a spawner reads from JupyterHub's user (name, id, url, auth state)."""

    url = "/user/u1/"

    def __init__(self, number):
        self.name = f"u{number}"
        self.id = number
        self.escaped_name = self.name

    async def get_auth_state(self):
        return {}


class Hub:
    api_url = "http://127.0.0.1:8081/hub/api"
    base_url = "/hub/"
    public_host = ""


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def main(servers):
    hub = Hub()
    # one unmeasured round first, as the bridge bench warms up
    for i in range(20):
        s = NoopSpawner(user=User(i), hub=hub)
        await s.start()
        await s.poll()
        await s.stop()
    for times in OWN_TIME.values():
        times.clear()
    gc.collect()
    rss_before = rss_kib()
    spawners, start, poll, stop = [], [], [], []
    for i in range(servers):
        began = time.perf_counter()
        s = NoopSpawner(user=User(i), hub=hub)
        await s.start()
        start.append(time.perf_counter() - began)
        spawners.append(s)
    rss_running = rss_kib()
    running = 0
    for s in spawners:
        began = time.perf_counter()
        status = await s.poll()
        poll.append(time.perf_counter() - began)
        running += status is None
    for s in spawners:
        began = time.perf_counter()
        await s.stop()
        stop.append(time.perf_counter() - began)
    return {
        "servers": servers,
        "running": running,
        "start_s": start,
        "poll_s": poll,
        "stop_s": stop,
        "own_time": OWN_TIME,
        "rss_before_kib": rss_before,
        "rss_running_kib": rss_running,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=1000)
    args = parser.parse_args()
    json.dump(asyncio.run(main(args.servers)), sys.stdout)
