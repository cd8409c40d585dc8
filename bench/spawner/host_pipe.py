"""One layer of bench/spawner: the spawner host alone, driven over its pipes the way the C# backend drives it.

Starts ``python3 -m outpost_spawnerhost --config noop_config.py --no-keeper`` and, one request at a time,
sends for each of --servers servers what the Outpost sends: ``start`` (server, spec); then ``poll`` (server,
spec, state) of each; then per server ``stop`` (spec, state, now false), ``poll`` of a spawner rebuilt from the
stored spec and state (the backend's "is it gone?") and ``forget``. Each request is timed from writing its line
to reading its answer (notifications in between are read and skipped); a stop is the sum of its three
requests. With --profile FILE the host runs under cProfile and writes its statistics there when it exits.
Prints one JSON object.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"

# The host's own main() ends with os._exit; under cProfile, write the statistics first.
PROFILED_MAIN = """
import cProfile, os, sys
profile, stats_file = cProfile.Profile(), sys.argv.pop(1)
real_exit = os._exit
def _exit(code):
    profile.disable()
    profile.dump_stats(stats_file)
    real_exit(code)
os._exit = _exit
from outpost_spawnerhost.__main__ import main
profile.enable()
main(sys.argv[1:])
"""


def hub_env(i):
    """The variables a hub sends for a server (JupyterHub 3 and outpostspawner), with their usual sizes.

    Without JUPYTERHUB_EVENTS_URL: with it, a sync start waits until the Outpost has delivered the start's
    progress events to the hub, which any backend's start does and the bench does not measure here.
    """
    user, api = f"u{i}", "http://hub.example.org:8081/hub/api"
    scopes = json.dumps([f"access:servers!server={user}/n{i}", f"read:users:groups!user={user}", f"read:users:name!user={user}"])
    env = {
        "JUPYTERHUB_API_TOKEN": "a" * 32,
        "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{user}-n{i}",
        "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"/user/{user}/n{i}/oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        "JUPYTERHUB_USER": user,
        "JUPYTERHUB_USER_ID": str(i + 1),
        "JUPYTERHUB_SERVER_NAME": f"n{i}",
        "JUPYTERHUB_API_URL": api,
        "JUPYTERHUB_ACTIVITY_URL": f"{api}/users/{user}/activity",
        "JUPYTERHUB_SETUPTUNNEL_URL": f"{api}/users/setuptunnel/{user}/n{i}",
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": f"/user/{user}/n{i}/",
        "JUPYTERHUB_SERVICE_URL": f"http://0.0.0.0:8888/user/{user}/n{i}/",
        "JUPYTERHUB_DEFAULT_URL": "/lab",
    }
    return env


class HostPipe:
    def __init__(self, profile=None):
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "spawnerhost"), HERE])
        env["PYTHONUNBUFFERED"] = "1"
        config = ["--config", os.path.join(HERE, "noop_config.py"), "--no-keeper", "--log-level", "INFO"]
        argv = [PY, "-c", PROFILED_MAIN, profile, *config] if profile else [PY, "-m", "outpost_spawnerhost", *config]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.next_id = 0

    def call(self, op, **fields):
        self.next_id += 1
        line = json.dumps({"id": self.next_id, "op": op, **fields}, separators=(",", ":")).encode() + b"\n"
        began = time.perf_counter()
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        while True:
            answer = self.proc.stdout.readline()
            if not answer:
                raise RuntimeError(f"the host ended during {op}")
            message = json.loads(answer)
            if message.get("id") == self.next_id:
                seconds = time.perf_counter() - began
                if not message["ok"]:
                    raise RuntimeError(f"{op}: {message['error']['class']}: {message['error']['message']}")
                return seconds, message["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def spec_of(i, env):
    return {"hub": "bench", "name": f"n{i}", "start_id": "s", "env": env, "user_options": {}, "misc": {},
            "flavor": None, "certs": None, "trust_bundles": {}, "auth_state": {}, "work_dir": ""}


def main(servers, minimal_env, profile):
    host = HostPipe(profile)
    host.call("hello")
    start, poll, stop = [], [], []
    try:
        specs = [spec_of(i, {"JUPYTERHUB_USER": "u1", "JUPYTERHUB_USER_ID": "1"} if minimal_env else hub_env(i))
                 for i in range(servers)]
        for i in range(20):  # warm-up
            spec = spec_of(servers + i, specs[0]["env"])
            _, r = host.call("start", server=f"w{i}", spec=spec)
            host.call("stop", server=f"w{i}", spec=spec, state=r["state"], now=False)
        states = []
        for i, spec in enumerate(specs):
            seconds, r = host.call("start", server=f"n{i}", spec=spec)
            start.append(seconds)
            states.append(r["state"])
        running = 0
        for i, spec in enumerate(specs):
            seconds, r = host.call("poll", server=f"n{i}", spec=spec, state=states[i])
            poll.append(seconds)
            running += r["status"] is None
        for i, spec in enumerate(specs):
            a, _ = host.call("stop", server=f"n{i}", spec=spec, state=states[i], now=False)
            b, r = host.call("poll", server=f"n{i}", spec=spec, state=states[i])
            c, _ = host.call("forget", server=f"n{i}")
            if r["status"] is None:
                raise RuntimeError(f"n{i} still runs after its stop")
            stop.append(a + b + c)
    finally:
        host.close()
    return {"servers": servers, "running": running, "start_s": start, "poll_s": poll, "stop_s": stop,
            "poll_line_bytes": len(json.dumps({"id": 1, "op": "poll", "server": "n0", "spec": specs[0], "state": states[0]},
                                              separators=(",", ":")))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--minimal-env", action="store_true", help="two variables instead of a hub's usual set")
    parser.add_argument("--profile", help="run the host under cProfile; statistics to this file")
    args = parser.parse_args()
    json.dump(main(args.servers, args.minimal_env, args.profile), sys.stdout)
