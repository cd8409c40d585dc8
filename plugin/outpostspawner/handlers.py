"""Hub API handlers the Outpost (or the servers) call back into.

Registered by importing :mod:`outpostspawner` (JupyterHub loads the spawner class
before it builds its handler list). All paths are below ``{base_url}hub/api``:

* ``GET|POST /users/progress/events/{user}[/{server}]``   progress events
* ``POST /users/setuptunnel/{user}[/{server}]``           delayed ssh forward
* ``GET /outpost/servers`` and ``GET /servers``            running servers (for orphan checks)
* ``GET|POST /recreateforward/{system}``                   rebuild forwards after an ssh node restart
* ``GET|POST /outpostflavors[/{system}]``                  flavor usage pushed by Outposts
* ``GET /outpost/systems``                                 declared systems: does each Outpost answer, its usage

A starting JupyterHub also checks ``c.OutpostSpawner.systems`` once its configuration is loaded
(before it builds its handler table), and stops with every problem listed, each naming its key.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import time

from jupyterhub import apihandlers, orm
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.apihandlers.users import SpawnProgressAPIHandler
from jupyterhub.scopes import needs_scope
from tornado import web

from .flavors import FLAVOR_CACHE
from .healing import ForwardHealer
from .models import is_repeat, make_event, resolve, stamp_incoming_event
from .spawner import JH_RUNS_PROGRESS_READY_HOOK, OutpostSpawner
from .systems import SystemsConfigError, parse_systems
from .ssh import TunnelInputError, validate_tunnel_api_body

log = logging.getLogger("outpostspawner.handlers")

SCOPE_LIST_SERVERS = "custom:servers:list"
SCOPE_SSHNODE_RESTART = "custom:sshnode:restart"
SCOPE_FLAVORS_SET = "custom:outpostflavors:set"

SYSTEMS_STATUS_SCOPE = "admin:servers"

# the most events one batch may carry (the Outpost sends at most 50)
MAX_EVENTS_PER_BATCH = 100


def require_token(handler: APIHandler) -> None:
    """Refuse cookie-authenticated requests: these APIs are for programs with tokens."""
    if handler.get_current_user_token() is None:
        raise web.HTTPError(403, "This API needs token authentication")


def require_custom_scope(handler: APIHandler, scope: str) -> None:
    if scope not in (getattr(handler, "expanded_scopes", None) or set()):
        raise web.HTTPError(403, f"Action is not authorized; requires scope {scope}")


def read_json(handler: APIHandler):
    try:
        return json.loads(handler.request.body or b"")
    except ValueError:
        raise web.HTTPError(400, "Request body must be JSON") from None


def find_user(handler: APIHandler, user_name: str):
    """The user named in the path. The Outpost posts with the server's own token and a user follows their own
    progress, so the token's owner is usually that user, already loaded by the authentication: no database query.
    Others (an admin) are looked up."""
    current = handler.current_user
    if getattr(current, "orm_user", None) is not None and current.name == user_name:
        return current
    return handler.find_user(user_name)


def find_outpost_spawner(handler: APIHandler, user_name: str, server_name: str) -> OutpostSpawner:
    user = find_user(handler, user_name)
    if user is None:
        raise web.HTTPError(404, "No such user")
    server_name = server_name or ""
    if server_name not in user.orm_user.orm_spawners:
        raise web.HTTPError(404, "No such server")
    spawner = user.spawners[server_name]
    if not isinstance(spawner, OutpostSpawner):
        raise web.HTTPError(400, "Server is not managed by OutpostSpawner")
    return spawner


async def cancel_or_stop(handler: APIHandler, spawner: OutpostSpawner, reason: str) -> None:
    """Abort a pending start, or stop a running server, after a failure report."""
    user = spawner.user
    if spawner._spawn_pending or spawner.pending == "spawn":
        if await spawner.cancel_start(reason):
            return  # start() raises; JupyterHub cleans up as for any failed start
        future = spawner._spawn_future
        if future is not None and not future.done():
            await spawner._append_cancelling_event()
            future.cancel()
            await asyncio.sleep(1)
        if spawner.pending != "stop":
            await handler.stop_single_user(user, spawner.name)
        return
    if spawner.active and spawner.pending != "stop":
        status = await spawner.poll_and_notify()
        if status is None:
            await handler.stop_single_user(user, spawner.name)


class SpawnEventsAPIHandler(APIHandler):
    """Progress events of one server: the Outpost POSTs them with the server's token."""

    def check_xsrf_cookie(self):
        # token-authenticated API; cookie requests are refused in post()
        return

    @needs_scope("read:servers")
    async def get(self, user_name, server_name=""):
        spawner = find_outpost_spawner(self, user_name, server_name)
        self.write({"events": spawner.events, "active": spawner.active, "ready": spawner.ready})

    @needs_scope("access:servers")
    async def post(self, user_name, server_name=""):
        """One event (an object, as the original Outpost sends), or a batch: an array of events, each handled as if it
        came alone, answered ``{"statuses": [...]}`` with the status each would have had. The events URL in a start
        request carries ``batch=true`` to tell the Outpost it may send batches; each request costs the hub a token
        lookup, and a start brings five events."""
        require_token(self)
        self.set_header("Cache-Control", "no-cache")
        spawner = find_outpost_spawner(self, user_name, server_name)
        body = read_json(self)
        if isinstance(body, list):
            if not body or len(body) > MAX_EVENTS_PER_BATCH:
                raise web.HTTPError(400, f"A batch holds 1 to {MAX_EVENTS_PER_BATCH} events")
            statuses = []
            for event in body:
                try:
                    await self._receive(spawner, event)
                    statuses.append(204)
                except web.HTTPError as e:
                    statuses.append(e.status_code)
            self.set_status(200)
            self.finish({"statuses": statuses})
            return
        await self._receive(spawner, body)
        self.set_status(204)

    async def _receive(self, spawner: OutpostSpawner, event) -> None:
        """Takes one event; an HTTPError says why it was refused."""
        if not isinstance(event, dict):
            raise web.HTTPError(400, "Event must be a JSON object")
        # The Outpost sends an event again (same id) when it cannot know the first one arrived:
        # a repeat is acknowledged, not shown twice, and a failed start is not acted on twice.
        if is_repeat(event, spawner.events) or spawner.pending == "stop":
            return
        event.pop("ready", None)
        event_id = event.get("id")
        if event.get("failed"):
            stamp_incoming_event(event)
            spawner.add_event(event)
            reason = event.get("message") or "The Outpost reported a failed start"
            await cancel_or_stop(self, spawner, str(reason))
            return
        if spawner.filter_events:
            try:
                event = await resolve(spawner.filter_events, spawner, event)
            except Exception:
                log.exception("filter_events of %s failed", spawner._log_name)
                event = None
        if not event:
            raise web.HTTPError(400, "Event rejected")
        event = dict(event)
        if event_id is not None:
            event.setdefault("id", event_id)  # kept, so a repeat is still recognised
        if is_repeat(event, spawner.events):  # the same event arrived while filter_events ran
            return
        spawner.add_event(stamp_incoming_event(event))


class SetupTunnelAPIHandler(APIHandler):
    """Delayed tunnel: the address of the server arrives after start() returned."""

    def check_xsrf_cookie(self):
        return

    @needs_scope("access:servers")
    async def post(self, user_name, server_name=""):
        require_token(self)
        self.set_header("Cache-Control", "no-cache")
        spawner = find_outpost_spawner(self, user_name, server_name)
        if spawner.pending == "stop" or not (spawner.active or spawner._spawn_pending):
            raise web.HTTPError(400, "Server is not running or is stopping")
        body = read_json(self)
        try:
            clean = validate_tunnel_api_body(body, spawner.setuptunnel_allowed_keys)
        except TunnelInputError as e:
            raise web.HTTPError(400, str(e)) from None
        remote = clean.pop("remote", None)
        spawner.port_forward_info.update(clean)
        if remote:
            spawner.port_forward_info.setdefault("remote", {}).update(remote)
        try:
            if spawner._tunnels.get("local"):
                await spawner.run_ssh_forward_remove(delete_svc=False)
            await spawner.run_ssh_forward()
        except Exception as e:
            log.warning("setuptunnel for %s failed: %s", spawner._log_name, e)
            spawner.add_event(make_event(100, "Could not set up the tunnel",
                                         details=str(e), failed=True))
            await cancel_or_stop(self, spawner, f"Could not set up the tunnel: {e}")
            raise web.HTTPError(400, "Could not set up the tunnel") from None
        spawner.orm_spawner.state = spawner.get_state()
        self.db.commit()
        self.set_status(204)


class ListServersAPIHandler(APIHandler):
    """``["{user_id}_{server}_{start_id}", ...]`` for every server the hub knows as running."""

    async def get(self):
        require_token(self)
        require_custom_scope(self, SCOPE_LIST_SERVERS)
        result = []
        query = (
            self.db.query(orm.Spawner)
            .filter(orm.Spawner.server_id.isnot(None))
            .order_by(orm.Spawner.user_id)
        )
        for orm_spawner in query:
            user = self.users.get(orm_spawner.user_id) if hasattr(self.users, "get") else None
            live = dict.get(user.spawners, orm_spawner.name) if user is not None else None
            if isinstance(live, OutpostSpawner) and live.start_id:
                name, start_id = live.wire_name, live.start_id
            else:
                state = orm_spawner.state or {}
                name = orm_spawner.name or "default"
                start_id = state.get("start_id", "")
            result.append(f"{orm_spawner.user_id}_{name}_{start_id}")
        self.write(json.dumps(result))


ANNOUNCEMENT_REASONS = ("outpost_started", "sshd_restarted")
ANNOUNCEMENT_MAX_BYTES = 1024
ANNOUNCEMENT_MIN_INTERVAL = 2.0  # seconds between announcement-driven checks of one system


def parse_announcement(body: bytes) -> dict:
    """An Outpost's sshd restart announcement: ``{"reason": ..., "id": ...}``; anything else is refused (400)."""
    if len(body) > ANNOUNCEMENT_MAX_BYTES:
        raise web.HTTPError(400, f"body: longer than {ANNOUNCEMENT_MAX_BYTES} bytes")
    try:
        data = json.loads(body)
    except ValueError:
        raise web.HTTPError(400, "body: must be JSON") from None
    if not isinstance(data, dict):
        raise web.HTTPError(400, "body: must be a JSON object")
    unknown = sorted(k for k in data if k not in ("reason", "id"))
    if unknown:
        raise web.HTTPError(400, f"body: unknown field(s) {', '.join(repr(k)[:40] for k in unknown[:5])}")
    if data.get("reason") not in ANNOUNCEMENT_REASONS:
        raise web.HTTPError(400, f"reason: must be one of {', '.join(ANNOUNCEMENT_REASONS)}")
    announcement_id = data.get("id")
    if announcement_id is not None and not (
            isinstance(announcement_id, str) and 0 < len(announcement_id) <= 64
            and all(c in "0123456789abcdefABCDEF-" for c in announcement_id)):
        raise web.HTTPError(400, "id: must be a UUID string")
    return data


class RecreateForwardAPIHandler(APIHandler):
    """Rebuild the forwards of all servers of one system (``user_options.system``) or
    behind one ssh node, after that node restarted.

    Two callers: an admin tool with a ``custom:sshnode:restart`` token (every forward is re-created),
    and an Outpost announcing that its sshd restarted, which POSTs ``{"reason", "id"}`` with the API
    token of one of the system's running servers. That token proves no admin right, so the
    announcement only checks the system's forwards and heals the broken ones (a healthy forward is
    left alone), at most once per ``ANNOUNCEMENT_MIN_INTERVAL`` per system (429 otherwise)."""

    _last_announcement: dict = {}

    def check_xsrf_cookie(self):
        return

    def _spawners(self, name: str) -> list:
        spawners = []
        for user in list(self.users.values()):
            for spawner in list(dict.values(user.spawners)):
                if not isinstance(spawner, OutpostSpawner) or not spawner.active:
                    continue
                local = spawner._tunnels.get("local") or spawner._tunnels.get("tunnelservice") or {}
                system = (spawner.user_options or {}).get("system") or spawner._system_name
                if name in (system, local.get("node")):
                    spawners.append(spawner)
        return spawners

    async def _run(self, name: str):
        require_token(self)
        if SCOPE_SSHNODE_RESTART not in (getattr(self, "expanded_scopes", None) or set()) \
                and self.request.method == "POST" and self.request.body:
            return self._announced(name, parse_announcement(self.request.body))
        require_custom_scope(self, SCOPE_SSHNODE_RESTART)
        spawners = self._spawners(name)

        async def recreate():
            for spawner in spawners:
                try:
                    await spawner.rebuild_ssh_forward()
                    spawner.log.info("Rebuilt the forward of %s", spawner._log_name)
                except Exception:
                    spawner.log.exception("Recreating the forward of %s failed", spawner._log_name)

        asyncio.ensure_future(recreate())
        self.set_status(202)
        self.write({"servers": len(spawners)})

    def _announced(self, name: str, announcement: dict) -> None:
        spawners = self._spawners(name)
        user = self.current_user
        owner = getattr(user, "name", None)
        # the token must be a user's whose server on this system is running (an Outpost sends one)
        if owner is None or not any(sp.user.name == owner for sp in spawners):
            raise web.HTTPError(403, "Action is not authorized; requires scope "
                                f"{SCOPE_SSHNODE_RESTART} or a running server on this system")
        now = time.monotonic()
        last = RecreateForwardAPIHandler._last_announcement.get(name)
        if last is not None and now - last < ANNOUNCEMENT_MIN_INTERVAL:
            raise web.HTTPError(429, "An announcement for this system was handled moments ago")
        RecreateForwardAPIHandler._last_announcement[name] = now
        self.log.info("Outpost of %s announced %s: checking %d forward(s)", name, announcement["reason"],
                 len(spawners))
        asyncio.ensure_future(heal_forwards(spawners))
        self.set_status(202)
        self.write({"servers": len(spawners)})

    async def get(self, name):
        await self._run(name)

    async def post(self, name):
        await self._run(name)


async def heal_forwards(spawners) -> None:
    """Check each forward now and heal a broken one at once (the sshd is back: no backoff wait)."""
    for spawner in spawners:
        healer = ForwardHealer(spawner)
        try:
            if healer.health.broken_since is not None:
                healer.health.next_attempt = 0.0
            await healer.heal(wait=True)
        except Exception:
            log.exception("Healing the forward of %s after an announcement failed", spawner._log_name)


class FlavorsAPIHandler(APIHandler):
    """Outposts push their flavor usage here; logged-in users read it."""

    def check_xsrf_cookie(self):
        return

    async def get(self, name=None):
        if self.current_user is None:
            raise web.HTTPError(403)
        flavors = FLAVOR_CACHE.latest()
        if name:
            if name not in flavors:
                raise web.HTTPError(404)
            self.write(json.dumps(flavors[name]))
        else:
            self.write(json.dumps(flavors))

    async def post(self, name=None):
        if not name:
            raise web.HTTPError(400, "POST needs /outpostflavors/{system}")
        require_token(self)
        require_custom_scope(self, SCOPE_FLAVORS_SET)
        body = read_json(self)
        if not isinstance(body, dict):
            raise web.HTTPError(400, "Flavors must be a JSON object")
        FLAVOR_CACHE.pushed(name, body)
        self.set_status(200)
        self.write({})


def config_spawner(spawner_class, config) -> OutpostSpawner | None:
    """A spawner without a user, to read the configuration the way spawners see it."""
    if not (isinstance(spawner_class, type) and issubclass(spawner_class, OutpostSpawner)):
        return None
    return spawner_class(config=config)


class SystemsStatusAPIHandler(APIHandler):
    """Admins: each declared system, whether its Outpost answers, the flavor usage it last reported."""

    @needs_scope(SYSTEMS_STATUS_SCOPE)
    async def get(self):
        spawner = config_spawner(self.settings.get("spawner_class"), self.config)
        if spawner is None or not spawner.systems:
            self.write(json.dumps({"systems": []}))
            return
        offers = await spawner.system_offers()
        result = []
        for offer in offers:
            system = offer.system
            report = spawner.flavor_cache.report(system.name)
            result.append({
                "name": system.name,
                "display_name": system.display_name,
                "url": system.url,
                "answers": bool(report and report.reachable),
                "error": report.error if report else "",
                "source": report.source if report else "",
                "updated": report.updated if report else "",
                "flavors": (report.flavors or {}) if report else {},
            })
        self.write(json.dumps({"systems": result}))


class ReadyHookProgressAPIHandler(SpawnProgressAPIHandler):
    """JupyterHub < 5 has no ``progress_ready_hook``; run it on the ready event here."""

    _outpost_spawner = None

    async def get(self, user_name, server_name=""):
        user = find_user(self, user_name)
        if user is not None:
            self._outpost_spawner = dict.get(user.spawners, server_name or "")
        return await super().get(user_name, server_name)

    async def send_event(self, event):
        spawner = self._outpost_spawner
        if event.get("ready") and isinstance(spawner, OutpostSpawner) and spawner.progress_ready_hook:
            try:
                event = await resolve(spawner.progress_ready_hook, spawner, dict(event)) or event
            except Exception:
                log.exception("progress_ready_hook of %s failed", spawner._log_name)
        return await super().send_event(event)


HANDLERS = [
    (r"/api/users/progress/events/([^/]+)/?", SpawnEventsAPIHandler),
    (r"/api/users/progress/events/([^/]+)/([^/]+)/?", SpawnEventsAPIHandler),
    (r"/api/users/setuptunnel/([^/]+)/?", SetupTunnelAPIHandler),
    (r"/api/users/setuptunnel/([^/]+)/([^/]+)/?", SetupTunnelAPIHandler),
    (r"/api/outpost/servers/?", ListServersAPIHandler),
    (r"/api/servers/?", ListServersAPIHandler),
    (r"/api/recreateforward/([^/]+)/?", RecreateForwardAPIHandler),
    (r"/api/outpostflavors/?", FlavorsAPIHandler),
    (r"/api/outpostflavors/([^/]+)/?", FlavorsAPIHandler),
    (r"/api/outpost/systems/?", SystemsStatusAPIHandler),
]


def check_configuration_at_startup() -> None:
    """Stop a starting JupyterHub whose ``c.OutpostSpawner.systems`` is invalid, naming each key."""
    from jupyterhub.app import JupyterHub

    if not JupyterHub.initialized():
        return
    app = JupyterHub.instance()
    spawner = config_spawner(app.spawner_class, app.config)
    if spawner is None or not spawner.systems:
        return
    try:
        systems = parse_systems(spawner.systems, check_secrets=True)
    except SystemsConfigError as e:
        app.log.critical("outpostspawner: c.OutpostSpawner.systems is invalid, the hub does not start:\n  %s",
                         "\n  ".join(e.problems))
        raise SystemExit(1) from None
    app.log.info("outpostspawner: declared systems: %s",
                 ", ".join(f"{s.name} ({s.url})" for s in systems.values()))


def _check_when_the_hub_builds_its_handlers() -> None:
    # JupyterHub imports spawner classes before it loads its configuration; it builds its handler
    # table (init_handlers) once the configuration and the database are loaded, and the check runs
    # right before, so a bad configuration stops the start-up with the problems listed.
    from jupyterhub.app import JupyterHub

    original = JupyterHub.init_handlers
    if getattr(original, "outpostspawner_checks", False):
        return

    @functools.wraps(original)
    def init_handlers(self, *args, **kwargs):
        check_configuration_at_startup()
        return original(self, *args, **kwargs)

    init_handlers.outpostspawner_checks = True
    JupyterHub.init_handlers = init_handlers


def register() -> None:
    """Add the handlers to JupyterHub's API handler list (once)."""
    table = apihandlers.default_handlers
    if any(h[1] is SpawnEventsAPIHandler for h in table):
        return
    _check_when_the_hub_builds_its_handlers()
    table.extend(HANDLERS)
    if not JH_RUNS_PROGRESS_READY_HOOK:
        for i, entry in enumerate(table):
            if entry[1] is SpawnProgressAPIHandler:
                table[i] = (entry[0], ReadyHookProgressAPIHandler, *entry[2:])


register()
