"""OutpostSpawner: JupyterHub lifecycle glue around the Outpost client, ssh and Services.

Traits live in :mod:`outpostspawner.options`; HTTP in :mod:`.client`; the forward of one
server in :mod:`.forward` (ssh argument lists in :mod:`.ssh`); its Kubernetes Service in
:mod:`.service` (REST in :mod:`.kube`); declared systems in :mod:`.systems`; the spawn form in
:mod:`.form` with the flavor cache of :mod:`.flavors`.
"""
from __future__ import annotations

import asyncio
import copy
import os
import time
import traceback
import uuid
from contextlib import suppress

from jupyterhub.spawner import Spawner
from jupyterhub.utils import url_escape_path, url_path_join
from tornado.ioloop import PeriodicCallback
from traitlets import default
from urllib.parse import urlparse

from ._version import STATE_VERSION, __version__
from .bulkpoll import BULK_POLLS, NOT_LISTED
from .client import OutpostClient, OutpostError, shared_http_client
from .flavors import FLAVOR_CACHE
from .form import SystemOffer, parse_form, render_form, system_offer
from .forward import RemoteForward, ServerForward
from .healing import FORWARD_LOST_STATUS, WATCHER, ForwardHealer
from .service import ServerService
from .models import (
    StartRequest,
    escape_dns_label,
    expand_name_template,
    format_hostport,
    make_event,
    resolve,
    split_service_address,
)
from .options import OutpostOptions
from .systems import System, choose, parse_systems
from .ports import HUB_PORTS
from .ssh import shared_ssh_runner

try:
    from contextlib import aclosing
except ImportError:  # Python < 3.10
    from async_generator import aclosing  # type: ignore

# What this JupyterHub does by itself (the plugin fills the gaps on older versions).
_BASE_TRAITS = Spawner.class_traits()
JH_RUNS_APPLY_USER_OPTIONS = "apply_user_options" in _BASE_TRAITS
JH_RUNS_GROUP_OVERRIDES = "group_overrides" in _BASE_TRAITS
JH_RUNS_PROGRESS_READY_HOOK = "progress_ready_hook" in _BASE_TRAITS

DEFAULT_SERVER_WIRE_NAME = "default"
MAX_STORED_EVENTS = 100


class OutpostStartCancelled(Exception):
    """Raised from start() when the start was cancelled (failed event, tunnel failure)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.jupyterhub_message = reason


class OutpostSpawner(OutpostOptions, Spawner):
    """Start single-user servers on remote systems through an Outpost service."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.events: list[dict] = []
        self.port_forward_info: dict = {}
        self.start_id = ""
        self.exit_code = None
        self.logs: list = []
        self._tunnels: dict = {}
        self._remote_active = False
        self._restored = False
        self._starting = False
        self._known_since = 0.0  # monotonic time the Outpost surely lists this server from (see .bulkpoll)
        self._start_task: asyncio.Future | None = None
        self._cancel_reason: str | None = None
        self._poll_interval_ms: int | None = None
        self._lock: asyncio.Lock | None = None
        self._forward_health = None  # the open incident of the forward (see .healing)
        self._forward_heal_lock: asyncio.Lock | None = None
        self._master_opening: asyncio.Future | None = None  # see _open_master_early
        self._client_cache: tuple | None = None  # see outpost_client
        self._server_forward: ServerForward | None = None  # see forward
        self._events_changed = asyncio.Event()
        self.ssh_runner = shared_ssh_runner(self.ssh_command)
        self._system_name = ""  # the declared system of the current server (kept in the state)
        self.flavor_cache = FLAVOR_CACHE

    # ------------------------------------------------------------------ declared systems
    @property
    def declared_systems(self) -> dict[str, System]:
        """``systems`` validated (secrets are checked at hub start-up and read on use)."""
        cached = getattr(self, "_systems_parsed", None)
        if cached is None or cached[0] is not self.systems:
            cached = (self.systems, parse_systems(self.systems, check_secrets=False))
            self._systems_parsed = cached
        return cached[1]

    def current_system(self) -> System:
        """The declared system of this server: ``user_options["system"]``, the one remembered in the
        state, or the only one declared."""
        uo = self.user_options if isinstance(self.user_options, dict) else {}
        return choose(self.declared_systems, uo, self._system_name)

    @default("options_form")
    def _outpost_options_form_default(self):
        return self._systems_options_form if self.systems else ""

    @default("options_from_form")
    def _outpost_options_from_form_default(self):
        return self._systems_options_from_form if self.systems else self._default_options_from_form

    async def _systems_options_form(self, spawner=None) -> str:
        offers = await self.system_offers()
        if len(offers) == 1 and not offers[0].flavors and not offers[0].profiles:
            return ""  # one system and nothing to choose: start straight away
        return render_form(offers)

    def _systems_options_from_form(self, formdata):
        return parse_form(formdata, self.declared_systems)

    async def system_offers(self) -> list[SystemOffer]:
        """Every declared system with the flavors its Outpost offers this user (cached)."""
        systems = list(self.declared_systems.values())
        auth_state = None
        if self.user is not None and hasattr(self.user, "get_auth_state"):
            with suppress(Exception):
                auth_state = await self.user.get_auth_state()
        reports = await asyncio.gather(*(self._offer(system, auth_state) for system in systems))
        return list(reports)

    def system_client(self, system: System) -> OutpostClient:
        auth = system.authorization()
        headers = {"Authorization": auth} if auth else {}
        return OutpostClient(system.services_url, headers, system.get("request_kwargs", {}) or {},
                             http_client=shared_http_client(self.http_client_defaults))

    def _own_flavors(self, system: System) -> dict:
        """The user's active servers on ``system`` per flavor (for the per-user limits)."""
        counts: dict = {}
        for other in dict.values(getattr(self.user, "spawners", None) or {}):
            if other is self or not isinstance(other, OutpostSpawner) or not other.active:
                continue
            uo = other.user_options if isinstance(other.user_options, dict) else {}
            if (uo.get("system") or other._system_name) == system.name and uo.get("flavor"):
                counts[uo["flavor"]] = counts.get(uo["flavor"], 0) + 1
        return counts

    async def _offer(self, system: System, auth_state) -> SystemOffer:
        return await system_offer(
            system, lambda: self.system_client(system), self.flavor_cache, auth_state,
            self.user.name if self.user is not None else "", self.flavors_cache_seconds,
            self.flavors_request_timeout, self._own_flavors(system) if self.user is not None else {})

    # ------------------------------------------------------------------ small helpers
    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    @property
    def forward_heal_lock(self) -> asyncio.Lock:
        """Held while the forward is checked or healed; teardown waits for it, so a heal in
        flight cannot make the forward again after stop removed it."""
        if self._forward_heal_lock is None:
            self._forward_heal_lock = asyncio.Lock()
        return self._forward_heal_lock

    @property
    def wire_name(self) -> str:
        """Name sent to the Outpost; the default server gets a non-empty one so that
        ``/services/{name}/{start_id}`` is routable."""
        return self.name or DEFAULT_SERVER_WIRE_NAME

    @property
    def svc_name(self) -> str:
        ns = self.namespace
        return expand_name_template(
            self.svc_name_template,
            username=self.user.name, userid=self.user.id, servername=self.name or "",
            hubnamespace="user" if ns == "default" else ns,
        )

    @property
    def svc_dns_name(self) -> str:
        return f"{self.svc_name}.{self.namespace}.svc"

    def add_event(self, event: dict) -> None:
        self.events.append(event)
        self._events_changed.set()

    def _connect_host(self) -> str:
        return self.forward.connect_host()

    @property
    def _proto(self) -> str:
        return "https://" if self.internal_ssl else "http://"

    async def _user_options(self) -> dict:
        return self.user_options if isinstance(self.user_options, dict) else {}

    async def outpost_client(self) -> OutpostClient:
        """The client for this server's Outpost. The same client is handed out again while the URL, headers,
        request arguments and HTTP defaults resolve to equal values: every poll asks for one, and building it (and
        keying the shared HTTP client and the bulk poll by its settings) was a large part of an idle hub's CPU."""
        url, headers, kwargs = self.request_url, self.request_headers, self.request_kwargs
        if callable(url) or callable(headers) or callable(kwargs):
            uo = await self._user_options()
            url = await resolve(url, self, uo)
            headers = await resolve(headers, self, uo)
            kwargs = await resolve(kwargs, self, uo)
        headers, kwargs = headers or {}, kwargs or {}
        defaults = self.http_client_defaults
        cached = self._client_cache
        if cached is not None and cached[0] == url and cached[1] == headers and cached[2] == kwargs \
                and cached[3] == defaults:
            return cached[4]
        client = OutpostClient(url, dict(headers), dict(kwargs), http_client=shared_http_client(defaults))
        self._client_cache = (url, copy.deepcopy(headers), copy.deepcopy(kwargs), copy.deepcopy(defaults), client)
        return client

    # ------------------------------------------------------------------ pre-spawn
    async def run_pre_spawn_hook(self):
        if self.lock.locked():
            raise RuntimeError("Server is in the process of stopping, please wait.")
        self.events = []
        self._events_changed.set()
        if not JH_RUNS_GROUP_OVERRIDES:
            await self._apply_group_overrides()
        if not JH_RUNS_APPLY_USER_OPTIONS:
            await self._apply_user_options()
        if self.pre_spawn_hook:
            await resolve(self.pre_spawn_hook, self)
        options = html_json(self.user_options)
        self.add_event(make_event(
            20, "Sending request to Outpost service to start your service.",
            details=f"Start {self._log_name}\nOptions:\n{options}",
        ))

    async def _apply_user_options(self) -> None:
        hook = self.apply_user_options
        uo = await self._user_options()
        if hook is None:
            return
        if callable(hook):
            await resolve(hook, self, uo)
            return
        for option_key, trait_name in hook.items():
            if option_key not in uo:
                continue
            value = uo[option_key]
            trait = self.traits().get(trait_name)
            if trait is None:
                self.log.warning("apply_user_options: %s has no trait %s", self, trait_name)
                continue
            if isinstance(value, str):
                value = trait.from_string(value)
            setattr(self, trait_name, value)

    async def _apply_group_overrides(self) -> None:
        overrides = await resolve(self.group_overrides, self) or {}
        if not overrides:
            return
        groups = {g.name for g in getattr(self.user, "groups", [])}
        for key in sorted(overrides):
            entry = overrides[key]
            if not groups.intersection(entry.get("groups", [])):
                continue
            for trait_name, value in entry.get("spawner_override", {}).items():
                value = await resolve(value, self)
                current = getattr(self, trait_name)
                if isinstance(current, dict) and isinstance(value, dict):
                    setattr(self, trait_name, _merge(current, value))
                else:
                    setattr(self, trait_name, value)

    async def create_certs(self):
        """One certificate per server (not per user), with the Service names included."""
        from certipy import Certipy

        alt_names = list(await resolve(self.ssl_alt_names, self) or [])
        if self.ssl_alt_names_include_local:
            alt_names = ["DNS:localhost", "IP:127.0.0.1"] + alt_names
        for dns in (self.svc_name, self.svc_dns_name):
            if f"DNS:{dns}" not in alt_names:
                alt_names.append(f"DNS:{dns}")
        common = f"user-{self.user.id}" + (f"-{escape_dns_label(self.name)}" if self.name else "")
        pair = Certipy(store_dir=self.internal_certs_location).create_signed_pair(
            common, "notebooks-ca", alt_names=alt_names, overwrite=True,
        )
        return {
            "keyfile": pair["files"]["key"],
            "certfile": pair["files"]["cert"],
            "cafile": self.internal_trust_bundles["notebooks-ca"],
        }

    def _remove_certs(self) -> None:
        paths = self.cert_paths or {}
        for key in ("keyfile", "certfile"):
            if paths.get(key):
                with suppress(OSError):
                    os.remove(paths[key])
        if paths.get("certfile"):
            with suppress(OSError):
                os.rmdir(os.path.dirname(paths["certfile"]))

    # ------------------------------------------------------------------ environment / body
    async def hub_api_url(self) -> str:
        url = await resolve(self.public_api_url, self) if self.public_api_url else None
        if not url:
            if self.hub_connect_url is not None:
                url = url_path_join(self.hub_connect_url, urlparse(self.hub.api_url).path)
            else:
                url = self.hub.api_url
        return str(url).rstrip("/")

    async def build_env(self) -> dict:
        env = self.get_env()
        api = await self.hub_api_url()
        user = self.user.escaped_name
        server = f"/{url_escape_path(self.name)}" if self.name else ""
        env["JUPYTERHUB_API_URL"] = api
        env["JUPYTERHUB_ACTIVITY_URL"] = f"{api}/users/{user}/activity"
        env["JUPYTERHUB_SETUPTUNNEL_URL"] = f"{api}/users/setuptunnel/{user}{server}"
        # batch=true: the events handler takes an array of events in one request (an Outpost that knows it sends them)
        env["JUPYTERHUB_EVENTS_URL"] = f"{api}/users/progress/events/{user}{server}?batch=true"
        base_url = self.server.base_url if self.server else "/"
        env["JUPYTERHUB_SERVICE_URL"] = (
            f"{self._proto}{format_hostport(self.remote_ip, self.port)}{base_url}"
        )
        dropped = sorted(k for k in env if not k.startswith(("JUPYTER_", "JUPYTERHUB_")))
        dropped = [k for k in dropped if k != "JPY_API_TOKEN"]
        if dropped:
            self.log.info("Not sent to the Outpost (no JUPYTER_/JUPYTERHUB_ prefix; use "
                          "custom_env): %s", ", ".join(dropped))
        env = {k: v for k, v in env.items() if k.startswith(("JUPYTER_", "JUPYTERHUB_"))}
        uo = await self._user_options()
        env.update(await resolve(self.custom_env, self, uo, api) or {})
        if self.systems:
            system = self.current_system()
            # where the Outpost pushes its flavor usage (a custom_env value wins)
            env.setdefault("JUPYTERHUB_FLAVORS_UPDATE_URL", f"{api}/outpostflavors/{system.name}")
            # where the Outpost announces that its sshd restarted (it posts with this server's token)
            env.setdefault("JUPYTERHUB_RECREATEFORWARD_URL", f"{api}/recreateforward/{system.name}")
            token = system.flavors_update_token()
            if token:
                env.setdefault("JUPYTERHUB_FLAVORS_UPDATE_TOKEN", token)
        env["JUPYTERHUB_USER_ID"] = str(self.user.id)
        return env

    async def build_start_request(self) -> StartRequest:
        uo = await self._user_options()
        env = await self.build_env()
        user_options = copy.deepcopy(uo)
        user_options.update(await resolve(self.custom_user_options, self, user_options) or {})
        user_options["start_id"] = self.start_id
        misc = copy.deepcopy(await resolve(self.custom_misc, self, uo) or {})
        if not self.custom_misc_disable_default:
            misc.update({
                "dns_name_template": self.dns_name_template,
                "pod_name_template": self.svc_name_template,
                "internal_ssl": bool(self.internal_ssl),
                "ip": self.remote_ip,
                "port": self.port,
                "services_enabled": True,
                "extra_labels": await resolve(self.extra_labels, self, uo) or {},
            })
        request = StartRequest(name=self.wire_name, env=env, user_options=user_options, misc=misc)
        auth_state = await self.user.get_auth_state()
        if auth_state and auth_state.get("outpost_flavors"):
            request.authentication = {
                "access_token": auth_state.get("access_token", ""),
                "name": auth_state.get("name", ""),
                "groups": auth_state.get("groups", []),
            }
        if self.internal_ssl and self.cert_paths:
            for key, path in self.cert_paths.items():
                request.certs[key] = _read(path)
            for component, path in (self.internal_trust_bundles or {}).items():
                request.internal_trust_bundles[component] = _read(path)
            extra = await resolve(self.additional_cafile, self) if self.additional_cafile else None
            if extra:
                if "-----BEGIN" not in extra and os.path.isfile(extra):
                    extra = _read(extra)
                request.certs["cafile"] = request.certs.get("cafile", "").rstrip("\n") + "\n" + extra
                hub_ca = request.internal_trust_bundles.get("hub-ca", "")
                request.internal_trust_bundles["hub-ca"] = hub_ca.rstrip("\n") + "\n" + extra
        return request

    # ------------------------------------------------------------------ start
    async def _resolve_port(self) -> int:
        uo = await self._user_options()
        port = await resolve(self.custom_port, self, uo)
        port = int(port or 0)
        return port if port > 0 else HUB_PORTS.reserve(self)

    async def _resolve_poll_interval(self) -> int | None:
        uo = await self._user_options()
        ms = int(await resolve(self.custom_poll_interval, self, uo) or 0)
        if ms <= 0:
            return None
        return ms * 1000 if ms < 1000 else ms

    async def start(self):
        if not self.events:
            self.events = []
        self._cancel_reason = None
        self.start_id = uuid.uuid4().hex
        self.exit_code = None
        self.logs = []
        self._starting = True
        self._start_task = asyncio.ensure_future(self._start())
        try:
            return await self._start_task
        except asyncio.CancelledError:
            reason = self._cancel_reason
            self.log.info("Start of %s cancelled%s", self._log_name, f": {reason}" if reason else "")
            await self._append_cancelling_event()
            await asyncio.shield(self._teardown())
            if reason is not None:
                raise OutpostStartCancelled(reason) from None
            raise
        except Exception as e:
            self.add_event(_failure_event(e))
            await asyncio.shield(self._teardown())
            raise
        finally:
            self._starting = False
            self._start_task = None
            self._known_since = time.monotonic()

    async def _start(self) -> str:
        uo = await self._user_options()
        if self.systems:
            self._system_name = self.current_system().name  # refuses an unknown or missing system
        self.log.info("Starting %s on the Outpost (start_id %s)", self._log_name, self.start_id)
        if self.check_allowed:
            await resolve(self.check_allowed, self, uo)
        self.port = await self._resolve_port()
        self._poll_interval_ms = await self._resolve_poll_interval()
        remote_info = self.port_forward_info.get("remote", {})
        if await resolve(self.ssh_create_remote_forward, self, remote_info):
            await self._start_remote_forward()

        request = await self.build_start_request()
        client = await self.outpost_client()
        start_async = bool(await resolve(self.start_async, self))
        kwargs_start = await resolve(self.request_kwargs_start, self, uo)
        self._remote_active = True  # from now on a DELETE is needed to clean up
        try:
            service = await client.start(request, start_async, kwargs_start)
        except OutpostError as e:
            await self._start_request_failed(e)
            raise
        response = {"service": service}
        last = self.events[-1]["progress"] if self.events else 20
        self.add_event(make_event(
            last, "Outpost communication successful. Waiting for the service to start...",
            summary="Outpost communication successful.",
            details="You will receive further information about the service status from the service itself.",
        ))
        if self.post_spawn_request_hook:
            await resolve(self.post_spawn_request_hook, self, response)
        if self.update_start_response:
            service = await resolve(self.update_start_response, self, service) or ""
        url = await self._connect(service)
        if self.update_expected_path:
            url = await resolve(self.update_expected_path, self, url)
        self.log.info("%s expected at %s", self._log_name, url)
        return url

    async def _start_request_failed(self, error: OutpostError) -> None:
        self.log.warning("Start request for %s failed: %s", self._log_name, error)
        self.add_event(make_event(
            99, f"Start failed: {error.message}. Deleting related resources...",
            summary="JupyterLab start failed. Deleting related resources...",
            details="This may take a few seconds.",
        ))
        if self.failed_spawn_request_hook:
            try:
                await resolve(self.failed_spawn_request_hook, self, error)
            except Exception:
                self.log.exception("failed_spawn_request_hook raised")

    async def _connect(self, service: str) -> str:
        """Pick how the hub reaches the server and return its URL."""
        if await resolve(self.ssh_during_startup, self):
            self.port_forward_info = {**self.port_forward_info, "service": service}
            host, port = await self.run_ssh_forward()
        elif not service:
            # address comes later through the setuptunnel API
            if await resolve(self.svc_create, self):
                host, port = self.svc_dns_name, self.port
            else:
                host, port = self._connect_host(), self.port
        else:
            host, port = split_service_address(service)
            self.port_forward_info = {**self.port_forward_info, "service": service}
        return f"{self._proto}{format_hostport(host, int(port))}"

    async def cancel_start(self, reason: str) -> bool:
        """Cancel a running ``start()``; True if there was one to cancel."""
        task = self._start_task
        if task is None or task.done():
            return False
        self._cancel_reason = reason
        task.cancel()
        return True

    async def _append_cancelling_event(self) -> None:
        event = await resolve(self.cancelling_event, self)
        if event:
            self.add_event(dict(event))

    # ------------------------------------------------------------------ ssh forward + Service
    @property
    def tunnels(self) -> dict:
        """Records of this server's forwards and Service (persisted in the state)."""
        return self._tunnels

    @property
    def forward(self) -> ServerForward:
        """The ssh forward of this server (create / check / remove): ssh in the hub, or the tunnel service."""
        if self.tunnel_service_url:
            if not self.tunnel_service_token_file:
                raise ValueError("tunnel_service_token_file: required when tunnel_service_url is set")
            from .tunnel_service import TunnelServiceForward
            return TunnelServiceForward(self)
        if self._server_forward is None:  # it holds no state of its own; the periodic check asks for it often
            self._server_forward = ServerForward(self)
        return self._server_forward

    @property
    def service(self) -> ServerService:
        """The Kubernetes Service of this server."""
        return ServerService(self)

    async def run_ssh_forward(self, create_svc: bool = True) -> tuple[str, int]:
        """Forward ``localhost:self.port`` to ``port_forward_info["service"]`` (and make the
        Service). Returns the (host, port) the hub connects to."""
        info = self.port_forward_info
        try:
            ret = await self.forward.create(info)
        except Exception as e:
            self.log.warning("ssh forward for %s failed: %s", self._log_name, e)
            await self.run_ssh_forward_remove(delete_svc=False)
            raise RuntimeError(f"Cannot start ssh tunnel for {self._log_name}: {e}") from e
        if create_svc and await resolve(self.svc_create, self):
            try:
                ret = await self.service.create(info)
            except Exception as e:
                self.log.warning("Service for %s failed: %s", self._log_name, e)
                await self.run_ssh_forward_remove()
                raise RuntimeError(f"Cannot create svc for {self._log_name}: {e}") from e
        if not ret:
            ret = (self.forward.connect_host(), self.port)
        if self.ssh_forward_heal and not self.ssh_custom_forward:
            WATCHER.watch(self)
        host, port = ret
        return host, int(port)

    async def rebuild_ssh_forward(self) -> None:
        """Make the forward again after its ssh node restarted (``/recreateforward``). With ssh in the hub it is
        removed and made anew; the tunnel service is asked for it again instead, which re-creates it only if it
        is down, so a working forward and the connections through it stay."""
        if not self.tunnel_service_url:
            await self.run_ssh_forward_remove(delete_svc=False)
        await self.run_ssh_forward(create_svc=False)

    async def run_ssh_forward_remove(self, delete_svc: bool = True) -> None:
        info = self.port_forward_info
        WATCHER.unwatch(self)
        try:
            await self.forward.remove(info)
        except Exception:
            self.log.exception("Removing the ssh forward of %s failed", self._log_name)
        if not delete_svc:
            return
        try:
            await self.service.remove(info)
        except Exception:
            self.log.warning("Removing the Service of %s failed", self._log_name, exc_info=True)

    async def _start_remote_forward(self) -> None:
        try:
            await RemoteForward(self).create(self.port_forward_info.get("remote", {}))
        except Exception as e:
            raise RuntimeError(f"Cannot start remote ssh tunnel for {self._log_name}: {e}") from e

    async def _stop_remote_forward(self) -> None:
        try:
            await RemoteForward(self).remove(self.port_forward_info.get("remote", {}))
        except Exception:
            self.log.exception("Removing the remote forward of %s failed", self._log_name)

    # ------------------------------------------------------------------ poll / stop
    async def poll(self):
        if self._starting:
            return None
        if not self._remote_active or not self.start_id:
            return self.exit_code if self.exit_code is not None else 0
        if self.pre_poll_hook:
            verdict = await resolve(self.pre_poll_hook, self)
        else:
            verdict = True
        if self._restored:
            self._open_master_early()
        if verdict is True:
            status = await self._poll_outpost()
        elif verdict is False:
            status = None
        else:
            status = verdict
        recreated = False
        if self._restored:
            self._restored = False
            if status is None and self.port_forward_info.get("service") and self.forward.exists \
                    and await resolve(self.ssh_recreate_at_start, self):
                try:
                    await self.run_ssh_forward(create_svc=False)
                    self.log.info("Recreated the ssh forward of %s", self._log_name)
                    recreated = True
                except Exception:
                    self.log.exception("Recreating the ssh forward of %s failed", self._log_name)
                    status = 0
        if status is None and not recreated:  # a forward made just now needs no check (it watches itself)
            status = await self._heal_forward()
        if status is not None:
            # The server is gone (or unusable): clean up our side and the Outpost's
            # record. JupyterHub's poll callbacks do the rest; never user.stop() here.
            self.exit_code = status
            if self._spawn_pending:
                self.add_event(make_event(
                    100, f"JupyterLab stopped with status {status}",
                    summary=f"JupyterLab start failed with status code {status}.",
                    details="Check JupyterLab logs for more information, if available.",
                    failed=True,
                ))
            await self._teardown()
        return status

    def _open_master_early(self) -> None:
        """After a hub restart: open the ssh master of a forward that will be made again while the Outpost
        is still being asked (in the background; shared by every server behind that master)."""
        if not (self.port_forward_info.get("service") and self.forward.exists):
            return

        async def open_master():
            try:
                if await resolve(self.ssh_recreate_at_start, self):
                    await self.forward.open_master(self.port_forward_info)
            except Exception as e:  # the forward itself reports it (run_ssh_forward)
                self.log.debug("Opening the ssh master of %s early failed: %s", self._log_name, e)

        self._master_opening = asyncio.ensure_future(open_master())

    async def _heal_forward(self):
        """Check (and heal) the forward of a running server; an exit status once it is lost."""
        healer = ForwardHealer(self)
        if healer.checked_recently():  # so the periodic check already watches it, and found it working
            return None
        if not healer.applies():
            return None
        WATCHER.watch(self)  # after a hub restart the first poll registers the server
        if await healer.heal() != "given_up":
            return None
        self.log.warning("Poll of %s reports exit status %d: its ssh forward is lost",
                         self._log_name, FORWARD_LOST_STATUS)
        self.add_event(make_event(
            100, "JupyterLab is unreachable: its ssh forward could not be restored.",
            summary="JupyterLab unreachable.", details=self._forward_health.reason, failed=True,
        ))
        return FORWARD_LOST_STATUS

    async def _poll_outpost(self):
        try:
            client = await self.outpost_client()
            max_age = self.poll_bulk_max_age
            if max_age > 0 and BULK_POLLS.applies(client, self.collect_logs_polling):
                verdict = await BULK_POLLS.status(client, self.wire_name, self.start_id, self._known_since, max_age)
                if verdict is NOT_LISTED:
                    return None if self.request_404_poll_keep_running else 0
                if verdict is not None:
                    return verdict.status
            result = await client.poll(self.wire_name, self.start_id, self.collect_logs_polling)
        except OutpostError as e:
            if e.not_found:
                return None if self.request_404_poll_keep_running else 0
            self.log.warning("Poll of %s failed: %s", self._log_name, e.message)
            return None if self.request_failed_poll_keep_running else 0
        except Exception:
            self.log.exception("Poll of %s failed", self._log_name)
            return None if self.request_failed_poll_keep_running else 0
        if self.collect_logs_polling:
            self.logs = result.logs
        return result.status

    async def stop(self, now=False, **kwargs):
        if not self._remote_active and not self._tunnels:
            return
        if self.pre_stop_hook:
            try:
                await resolve(self.pre_stop_hook, self)
            except Exception:
                self.log.exception("pre_stop_hook of %s failed", self._log_name)
        await self._teardown(collect_logs=kwargs.get("collect_logs"))

    async def _teardown(self, collect_logs=None) -> None:
        """Idempotent: DELETE on the Outpost, remove forwards and Service, remove certs."""
        WATCHER.unwatch(self)
        async with self.lock, self.forward_heal_lock:
            if self._remote_active and self.start_id:
                self._remote_active = False
                want_logs = bool(self.collect_logs or collect_logs)
                try:
                    client = await self.outpost_client()
                    stop_async = bool(await resolve(self.stop_async, self))
                    logs = await client.stop(self.wire_name, self.start_id, stop_async, want_logs)
                    if want_logs and logs is not None:
                        self.logs = logs
                except Exception as e:
                    self.log.warning("Stop request for %s failed: %s", self._log_name, e)
                if self.exit_code is None:
                    self.exit_code = 0
            self._remote_active = False
            if self._tunnels:
                await self.run_ssh_forward_remove(delete_svc=True)
                await self._stop_remote_forward()
            self._remove_certs()
            HUB_PORTS.release(self)

    # ------------------------------------------------------------------ progress
    async def _generate_progress(self):
        if not self._spawn_pending:
            self.log.warning("Spawn not pending, can't generate progress for %s", self._log_name)
            return
        if await resolve(self.show_first_default_event, self):
            yield {"progress": 0, "message": "Server requested"}
        async with aclosing(self.progress()) as events:
            async for event in events:
                yield event

    async def progress(self):
        spawn_future = self._spawn_future
        index = 0
        while True:
            finished = not self._spawn_pending or (spawn_future is not None and spawn_future.done())
            self._events_changed.clear()
            while index < len(self.events):
                event = dict(self.events[index])
                index += 1
                event.pop("ready", None)
                yield event
                if event.get("failed"):
                    finished = True
            if finished:
                return
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._events_changed.wait(), 1)

    # ------------------------------------------------------------------ polling
    def start_polling(self):
        ms = self._poll_interval_ms or int(1000 * self.poll_interval)
        if ms <= 0:
            self.log.debug("Not polling %s", self._log_name)
            return
        self.stop_polling()
        self._poll_callback = PeriodicCallback(self.poll_and_notify, ms, jitter=self.poll_jitter)
        self._poll_callback.start()

    # ------------------------------------------------------------------ state
    def get_state(self):
        state = super().get_state()
        state["outpostspawner_version"] = STATE_VERSION
        state["events"] = copy.deepcopy(self.events[-MAX_STORED_EVENTS:])
        if self.exit_code is not None:
            state["exit_code"] = self.exit_code
        if self.logs:
            state["logs"] = list(self.logs)
        if self.start_id:
            if self._system_name:
                state["system"] = self._system_name
            state.update({
                "start_id": self.start_id,
                "port": self.port,
                "port_forward_info": copy.deepcopy(self.port_forward_info),
                "tunnels": copy.deepcopy(self._tunnels),
                "remote_active": self._remote_active,
            })
            if self._poll_interval_ms:
                state["poll_interval_ms"] = self._poll_interval_ms
        return state

    def load_state(self, state):
        super().load_state(state)
        if not state:
            return
        self.events = list(state.get("events") or [])
        self.exit_code = state.get("exit_code", state.get("exitCode"))
        self.logs = list(state.get("logs") or [])
        start_id = state.get("start_id")
        if not start_id:
            return
        self.start_id = start_id
        self._system_name = state.get("system") or ""
        port = state.get("port", state.get("custom_port"))
        if port:
            self.port = int(port)
            HUB_PORTS.hold(self, self.port)
        self.port_forward_info = copy.deepcopy(state.get("port_forward_info") or {})
        self._tunnels = copy.deepcopy(state.get("tunnels") or {})
        if "tunnels" not in state and self.port_forward_info.get("service"):
            # state written by the original plugin: it always forwarded via ssh
            self._tunnels = {}
        self._remote_active = bool(state.get("remote_active", True))
        self._poll_interval_ms = state.get("poll_interval_ms")
        self._restored = True
        self._known_since = time.monotonic()

    def clear_state(self):
        super().clear_state()
        self.start_id = ""
        self._system_name = ""
        self.port_forward_info = {}
        self._tunnels = {}
        self._remote_active = False
        self._restored = False
        self._poll_interval_ms = None
        self._forward_health = None

    def __repr__(self):  # pragma: no cover - logging aid
        return f"<OutpostSpawner {self._log_name} start_id={self.start_id or '-'} v{__version__}>"


# ---------------------------------------------------------------------- module helpers
def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _merge(base: dict, update: dict) -> dict:
    out = dict(base)
    for key, value in update.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def html_json(value) -> str:
    import json

    try:
        return json.dumps(value, indent=2, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def _failure_event(error: BaseException) -> dict:
    code = getattr(error, "outpost_status", None) or getattr(error, "status_code", 500)
    message = getattr(error, "message", None) or str(error)
    details = getattr(error, "outpost_traceback", "") or "".join(
        traceback.format_exception_only(type(error), error)
    )
    return make_event(
        100, f"JupyterLab start failed ({code} - {message})",
        details=details, failed=True,
    )

