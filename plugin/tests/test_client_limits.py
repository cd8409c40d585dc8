"""The plugin's HTTP client: slow starts never hold the connections that polls and stops need."""
import asyncio
import socket

from tornado import web
from tornado.httpserver import HTTPServer

from outpostspawner.client import OutpostClient, _concurrent_limit, shared_http_client


class SlowStart(web.RequestHandler):
    waiting = 0  # starts the server holds

    async def post(self):
        SlowStart.waiting += 1
        try:
            await self.application.settings["release"].wait()
        finally:
            SlowStart.waiting -= 1
        self.write({"service": "127.0.0.1:8888"})


class Poll(web.RequestHandler):
    def get(self, name, start_id):
        self.write({"status": None})


async def test_a_poll_answers_while_every_start_slot_waits_on_a_slow_start():
    release = asyncio.Event()
    app = web.Application([(r"/services", SlowStart), (r"/services/([^/]+)/([^/]+)", Poll)], release=release)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    server = HTTPServer(app)
    server.add_sockets([sock])
    # its own client (distinct defaults), so that other tests' clients do not count
    client = OutpostClient(f"http://127.0.0.1:{port}/services",
                           http_client=shared_http_client({"user_agent": "limits-test"}))

    async def start():
        return await client._call("start", client.base_url, "POST", {})

    starts = [asyncio.ensure_future(start()) for _ in range(_concurrent_limit())]
    try:
        # every start slot is taken and waiting on the server
        deadline = asyncio.get_running_loop().time() + 10
        while SlowStart.waiting < len(starts):
            assert asyncio.get_running_loop().time() < deadline, f"{SlowStart.waiting} of {len(starts)} starts arrived"
            await asyncio.sleep(0.02)
        status = await asyncio.wait_for(client.poll("srv", "abc"), 5)
        assert status.status is None
    finally:
        release.set()
        await asyncio.gather(*starts, return_exceptions=True)
        server.stop()
