"""A minimal stand-in for the C# Outpost (wire API + local processes).

Only for developing the end-to-end harness while the real Outpost is not on
main yet; the e2e tests use it only when OUTPOST_E2E_STANDIN=1 is set, and the
CI script never sets it. Usage: standin_outpost.py PORT HUB=PASSWORD [...]
"""
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import uuid

from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.ioloop import IOLoop

HUBS = {}
SERVERS = {}  # (hub, name, start_id) -> dict(proc, port, certdir)
SINGLEUSER = ["/usr/bin/jupyterhub-singleuser", "--allow-root"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


async def send_event(env, event):
    url = env.get("JUPYTERHUB_EVENTS_URL")
    if not url:
        return
    try:
        await AsyncHTTPClient().fetch(HTTPRequest(
            url, method="POST", body=json.dumps({**event, "id": str(uuid.uuid4())}), validate_cert=False,
            headers={"Authorization": f"token {env.get('JUPYTERHUB_API_TOKEN', '')}",
                     "Content-Type": "application/json"}), raise_error=False)
    except Exception as e:  # never fail a start because of events
        print("event relay failed", e, file=sys.stderr)


class Base(web.RequestHandler):
    def prepare(self):
        if self.request.path.rstrip("/") == "/ping":
            return
        auth = self.request.headers.get("Authorization", "")
        try:
            user, pw = base64.b64decode(auth.split(" ", 1)[1]).decode().split(":", 1)
        except Exception:
            user = pw = None
        if not user or HUBS.get(user) != pw:
            self.set_status(401)
            self.finish({"detail": "Incorrect username or password"})
            return
        self.hub = user

    def reply(self, code, body):
        self.set_status(code)
        self.finish(json.dumps(body))


class Ping(Base):
    def get(self):
        self.finish({"ping": "pong!"})


class Services(Base):
    def get(self):
        self.reply(200, [{"name": k[1], "start_id": k[2]} for k in SERVERS if k[0] == self.hub])

    async def post(self):
        body = json.loads(self.request.body)
        uo = dict(body.get("user_options") or {})
        start_id = str(uo.pop("start_id", "0"))
        env = {k: str(v) for k, v in (body.get("env") or {}).items()}
        port = free_port()
        proto = "https" if body.get("certs") else "http"
        prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        env["JUPYTERHUB_SERVICE_URL"] = f"{proto}://127.0.0.1:{port}{prefix}"
        certdir = None
        if body.get("certs"):
            certdir = tempfile.mkdtemp(prefix="standin-certs-")
            for key, fname in (("keyfile", "user.key"), ("certfile", "user.crt"), ("cafile", "ca.crt")):
                path = os.path.join(certdir, fname)
                with open(path, "w") as f:
                    f.write(body["certs"].get(key, ""))
                env[{"keyfile": "JUPYTERHUB_SSL_KEYFILE", "certfile": "JUPYTERHUB_SSL_CERTFILE",
                     "cafile": "JUPYTERHUB_SSL_CLIENT_CA"}[key]] = path
        full_env = {"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), **env}
        await send_event(env, {"progress": 40, "message": "standin: launching the server",
                               "html_message": "<details><summary>standin: launching</summary></details>"})
        proc = subprocess.Popen(SINGLEUSER, env=full_env, cwd=tempfile.gettempdir(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        SERVERS[(self.hub, body["name"], start_id)] = {"proc": proc, "port": port, "certdir": certdir}
        await send_event(env, {"progress": 60, "message": "standin: process started"})
        if self.request.headers.get("execution-type") == "async":
            return self.reply(202, {"service": ""})
        self.reply(200, {"service": f"127.0.0.1:{port}"})


class Service(Base):
    def get(self, name, start_id="0"):
        s = SERVERS.get((self.hub, name, start_id))
        if s is None:
            return self.reply(404, {"detail": "Item not found"})
        self.reply(200, {"status": s["proc"].poll(), "logs": []})

    async def delete(self, name, start_id="0"):
        s = SERVERS.pop((self.hub, name, start_id), None)
        if s is None:
            return self.reply(404, {"detail": "Item not found"})
        s["proc"].terminate()
        for _ in range(50):
            if s["proc"].poll() is not None:
                break
            await asyncio.sleep(0.1)
        else:
            s["proc"].kill()
        self.reply(200, {"logs": []})


def main():
    port = int(sys.argv[1])
    for item in sys.argv[2:]:
        hub, pw = item.split("=", 1)
        HUBS[hub] = pw
    app = web.Application([
        (r"/ping/?", Ping),
        (r"/services/?", Services),
        (r"/services/([^/]+)/?", Service),
        (r"/services/([^/]+)/([^/]+)/?", Service),
    ])
    app.listen(port, "127.0.0.1")
    try:
        IOLoop.current().start()
    finally:
        for s in SERVERS.values():
            s["proc"].kill()


if __name__ == "__main__":
    main()
