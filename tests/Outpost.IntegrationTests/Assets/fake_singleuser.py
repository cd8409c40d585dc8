"""A stand-in for jupyterhub-singleuser in tests: listens where JUPYTERHUB_SERVICE_URL says.

Knobs (JUPYTER_* so a hub may send them): JUPYTER_TEST_DELAY seconds before listening,
JUPYTER_TEST_EXIT_CODE to exit at once (JUPYTER_TEST_PRINT_TOKEN: printing its API token first, as a
crashing server may), JUPYTER_TEST_PIDFILE to record the pid.
GET /env answers the environment as JSON; anything else answers {"version": "fake"}.
"""
import json
import os
import signal
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

url = urllib.parse.urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
pidfile = os.environ.get("JUPYTER_TEST_PIDFILE")
if pidfile:
    with open(pidfile, "w") as f:
        f.write(str(os.getpid()))
print(f"fake server starting for {os.environ.get('JUPYTERHUB_USER', '?')}", flush=True)
if "JUPYTER_TEST_EXIT_CODE" in os.environ:
    if "JUPYTER_TEST_PRINT_TOKEN" in os.environ:
        print(f"my token is {os.environ.get('JUPYTERHUB_API_TOKEN')}", flush=True)
    print("fake server failing on purpose", flush=True)
    sys.exit(int(os.environ["JUPYTER_TEST_EXIT_CODE"]))
time.sleep(float(os.environ.get("JUPYTER_TEST_DELAY", "0")))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = dict(os.environ) if self.path == "/env" else {"version": "fake"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


HTTPServer((url.hostname, url.port), Handler).serve_forever()
