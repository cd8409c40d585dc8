"""The request dispatcher: one asyncio task per request, answers in any order."""

import asyncio
import inspect
import logging
import os

import jupyterhub
from jupyterhub.utils import iterate_until

from . import PROTOCOL_VERSION
from . import certs as certfiles
from .config import load_config
from .protocol import ProtocolError
from .protocol import answer
from .protocol import failure
from .protocol import parse_request
from .servers import Server
from .servers import ServerBusy
from .servers import ServerRegistry
from .servers import ServerSpec
from .servers import UnknownServer
from .servers import build_spawner

log = logging.getLogger("outpost_spawnerhost")

SHUTDOWN_GRACE_SECONDS = 5
# How often a running start's get_state() is compared with the last one sent. A start that dies
# midway (the host killed, the start cancelled) then still leaves what it created findable.
STATE_WATCH_SECONDS = 0.25


async def _maybe_await(value):
    while inspect.isawaitable(value):
        value = await value
    return value


def start_address(result):
    """What the Outpost gets from a start: (ip, port) becomes "ip:port"."""
    if isinstance(result, (tuple, list)) and len(result) == 2:
        return f"{result[0]}:{result[1]}"
    if result is None:
        return ""
    return result if isinstance(result, str) else str(result)


def progress_data(event):
    data = {}
    if isinstance(event, dict):
        if "progress" in event:
            try:
                data["progress"] = int(event["progress"])
            except (TypeError, ValueError):
                pass
        for key in ("message", "html_message"):
            if event.get(key) is not None:
                data[key] = str(event[key])
    return data


class Host:
    def __init__(self, channel, config_path):
        self.channel = channel
        self.config_path = config_path
        self.servers = ServerRegistry()
        self._tasks = set()
        self._closing = False
        self._ops = {
            "hello": self.op_hello,
            "check": self.op_check,
            "start": self.op_start,
            "cancel": self.op_cancel,
            "poll": self.op_poll,
            "stop": self.op_stop,
            "logs": self.op_logs,
            "forget": self.op_forget,
        }

    # -- channel --------------------------------------------------------------

    async def serve(self):
        """Read requests until EOF, then cancel what is still running."""
        while True:
            try:
                line = await self.channel.readline()
            except ProtocolError as exc:
                await self.send(failure(None, exc))
                continue
            if line is None:
                break
            if not line.strip():
                continue
            task = asyncio.ensure_future(self._handle(line))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        log.info("stdin closed: cancelling %d running request(s) and exiting", len(self._tasks))
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)

    async def send(self, message):
        try:
            await self.channel.send(message)
        except (BrokenPipeError, ConnectionResetError) as exc:
            log.warning("cannot write to the Outpost: %s", exc)

    async def notify(self, message):
        await self.send(message)

    async def _handle(self, line):
        request_id = None
        try:
            request_id, op, request = parse_request(line)
            handler = self._ops.get(op)
            if handler is None:
                raise ProtocolError(f"unknown op {op!r}")
            result = await handler(request)
            message = answer(request_id, result)
        except asyncio.CancelledError as exc:
            if self._closing:
                return  # the Outpost has gone; nobody reads the answer
            message = failure(request_id, exc)
        except Exception as exc:
            request_id = getattr(exc, "request_id", request_id)
            if not isinstance(exc, (ProtocolError, UnknownServer)):
                log.warning("request %s failed: %s: %s", request_id, type(exc).__name__, exc)
            message = failure(request_id, exc)
        try:
            await self.send(message)
        except (TypeError, ValueError) as exc:  # a result that is not JSON
            await self.send(failure(request_id, exc))

    # -- ops ------------------------------------------------------------------

    async def op_hello(self, request):
        return {"protocol": PROTOCOL_VERSION, "pid": os.getpid(), "jupyterhub": jupyterhub.__version__}

    async def op_check(self, request):
        config = load_config(request.get("config_file") or self.config_path)
        return {"spawner_class": config.spawner_class_name, "traits": sorted(config.spawner_section)}

    async def op_start(self, request):
        server_id = _server_id(request)
        spec = ServerSpec.from_json(request.get("spec"))
        async with self.servers.lock(server_id):
            old = self.servers.get(server_id)
            if old is not None:
                if old.starting:
                    raise ServerBusy(f"a start of server {server_id} is already running")
                self.servers.evict(old)  # every start gets a freshly configured spawner
            config = load_config(self.config_path)
            spawner = await build_spawner(config, spec, write_certs=True)
            server = Server(id=server_id, spec=spec, config=config, spawner=spawner)
            server.start_task = asyncio.current_task()
            self.servers.add(server)
        try:
            return await self._start(server)
        finally:
            server.start_task = None
            server.start_done.set()

    async def _start(self, server):
        spawner = server.spawner
        spawner._spawn_pending = True
        call = asyncio.ensure_future(self._start_call(server))
        relay = asyncio.ensure_future(self._relay_progress(server, call))
        watch = asyncio.ensure_future(self._watch_state(server, call))
        try:
            address = await call
        except BaseException:
            call.cancel()
            relay.cancel()
            watch.cancel()
            await asyncio.gather(call, relay, watch, return_exceptions=True)
            await self._send_state_if_changed(server)
            raise
        finally:
            spawner._spawn_pending = False
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        await relay  # progress events are all sent before the answer
        state = spawner.get_state()
        server.last_state = state
        await self.notify({"event": "state", "server": server.id, "state": state})
        return {"address": address, "state": state}

    async def _start_call(self, server):
        spawner, config = server.spawner, server.config
        spawner.clear_state()
        await _maybe_await(spawner.run_pre_spawn_hook())
        if spawner.cert_paths:
            spawner.cert_paths = await _maybe_await(spawner.move_certs(spawner.cert_paths))
        result = await _maybe_await(spawner.start())
        if config.sanitize_start_response:
            result = await _maybe_await(config.sanitize_start_response(spawner, result))
        return start_address(result)

    async def _relay_progress(self, server, until):
        try:
            async for event in iterate_until(until, server.spawner.progress()):
                await self.notify({"event": "progress", "server": server.id, "data": progress_data(event)})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: progress() failed; no more progress for this start", server.id)

    async def _watch_state(self, server, until):
        while not until.done():
            await asyncio.wait([until], timeout=STATE_WATCH_SECONDS)
            if not until.done():
                await self._send_state_if_changed(server)

    async def _send_state_if_changed(self, server):
        try:
            state = server.spawner.get_state()
        except Exception:
            log.exception("%s: get_state() failed", server.id)
            return
        if state != server.last_state:
            server.last_state = state
            await self.notify({"event": "state", "server": server.id, "state": state})

    async def op_cancel(self, request):
        server = self.servers.get(_server_id(request))
        if server is not None and server.starting:
            server.start_task.cancel()
        return {}

    async def _known_or_rebuilt(self, request, *, required=True):
        server_id = _server_id(request)
        server = self.servers.get(server_id)
        if server is not None:
            auth_state = (request.get("spec") or {}).get("auth_state")
            if auth_state:  # newer auth state from the hub reaches a cached spawner too
                await server.spawner.user.save_auth_state(auth_state)
            return server
        if request.get("spec") is None:
            if required:
                raise UnknownServer(f"server {server_id} is not in this host and the request has no spec")
            return None
        spec = ServerSpec.from_json(request["spec"])
        async with self.servers.lock(server_id):
            server = self.servers.get(server_id)
            if server is not None:
                return server
            config = load_config(self.config_path)
            spawner = await build_spawner(config, spec, write_certs=False)
            state = request.get("state") or {}
            if state:
                spawner.load_state(state)
            server = Server(id=server_id, spec=spec, config=config, spawner=spawner)
            server.last_state = spawner.get_state()
            server.start_done.set()
            self.servers.add(server)
            log.info("%s: rebuilt %s from stored state", server_id, config.spawner_class_name)
            return server

    async def op_poll(self, request):
        server = await self._known_or_rebuilt(request)
        if server.starting:
            # a start in progress counts as running; its state is not final yet
            return {"status": None, "state": server.spawner.get_state()}
        status = await _maybe_await(server.spawner.poll())
        state = server.spawner.get_state()
        if state != server.last_state:
            server.last_state = state
            await self.notify({"event": "state", "server": server.id, "state": state})
        return {"status": status, "state": state}

    async def op_stop(self, request):
        if self.servers.get(_server_id(request)) is None and not request.get("state"):
            # A spawner rebuilt without state knows of nothing to stop (a start that failed before
            # the spawner existed, or one that never reported state); building it could only fail again.
            return {}
        server = await self._known_or_rebuilt(request, required=False)
        if server is None:
            return {}
        if server.starting:
            server.start_task.cancel()
            await server.start_done.wait()
        spawner = server.spawner
        try:
            await _maybe_await(spawner.stop(bool(request.get("now", False))))
        finally:
            try:
                await _maybe_await(spawner.run_post_stop_hook())
            except Exception:
                log.exception("%s: post-stop hook failed", server.id)
            try:
                spawner.clear_state()
            except Exception:
                log.exception("%s: clear_state failed", server.id)
            certfiles.remove_certs(server.spec.work_dir)
            self.servers.evict(server)
        return {}

    async def op_logs(self, request):
        server = await self._known_or_rebuilt(request)
        getter = getattr(server.spawner, "get_jupyter_server_logs", None)
        if not callable(getter):
            return {"lines": []}
        logs = await _maybe_await(getter())
        if logs is None:
            lines = []
        elif isinstance(logs, str):
            lines = logs.splitlines()
        else:
            lines = [str(x) for x in logs]
        n = request.get("lines")
        if isinstance(n, int) and n > 0:
            lines = lines[-n:]
        return {"lines": lines}

    async def op_forget(self, request):
        server = self.servers.get(_server_id(request))
        if server is not None:
            if server.starting:
                server.start_task.cancel()
            self.servers.evict(server)
        return {}


def _server_id(request):
    server_id = request.get("server")
    if not isinstance(server_id, str) or not server_id:
        raise ValueError("'server' must be a non-empty string")
    return server_id
