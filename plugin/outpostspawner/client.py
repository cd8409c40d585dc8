"""Async HTTP client for the Outpost REST API (wire-compatible with the original Outpost).

No traitlets and no JupyterHub imports here: the spawner resolves its options and
hands plain values to :class:`OutpostClient`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any
from urllib.parse import quote

from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from .models import ServerStatus, StartRequest

log = logging.getLogger("outpostspawner.client")


class OutpostError(web.HTTPError):
    """A failed Outpost call.

    It is a ``tornado.web.HTTPError`` with status 419, like the original plugin
    raised, so hooks that inspect ``status_code``, ``log_message`` and ``reason``
    keep working. ``outpost_status`` holds the HTTP code the Outpost answered
    (0 when there was no answer at all).
    """

    def __init__(self, action: str, url: str, outpost_status: int, message: str,
                 traceback: str = ""):
        log_message = f"{action} request to {url} failed"
        if outpost_status:
            log_message += f": {outpost_status}"
        # tornado formats log_message with %, so escape user text
        super().__init__(419, log_message.replace("%", "%%"), reason=message or "Unknown error")
        self.action = action
        self.url = url
        self.outpost_status = outpost_status
        self.message = message
        self.outpost_traceback = traceback
        # read by JupyterHub's progress handler for the "Spawn failed" text
        self.jupyterhub_message = f"{action} failed: {message}"

    def __str__(self) -> str:
        return self.jupyterhub_message

    @property
    def not_found(self) -> bool:
        return self.outpost_status == 404


def _error_message(code: int, body: bytes) -> tuple[str, str]:
    """Human message and traceback from an Outpost error body."""
    try:
        data = json.loads(body.decode("utf8", "replace"))
    except (ValueError, AttributeError):
        return (body or b"").decode("utf8", "replace")[:2000], ""
    if code == 419 and isinstance(data, dict) and "args" in data:
        args = data.get("args") or []
        text = " - ".join(str(a) for a in args) if args else "Unknown error"
        return f"{data.get('module', '')}{data.get('class', '')}: {text}", str(data.get("traceback", ""))
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"]), ""
    return json.dumps(data, sort_keys=True)[:2000], ""


_clients: dict[str, AsyncHTTPClient] = {}
_semaphores: dict[str, asyncio.Semaphore] = {}


# Requests of one kind (starts; polls, stops and the rest) in flight at once, per hub process. 10 (the
# original plugin's value) queued 200 simultaneous spawns ten at a time behind starts that each last until
# the server listens: about 16 s of a 46 s spawn in bench/hubscale's P8. The Outpost takes hundreds of
# concurrent starts (P3), so the default is 100; OUTPOSTSPAWNER_HTTP_CLIENT_CONCURRENT_LIMIT still sets it.
DEFAULT_CONCURRENT_LIMIT = 100


def _concurrent_limit() -> int:
    value = os.environ.get("OUTPOSTSPAWNER_HTTP_CLIENT_CONCURRENT_LIMIT", "") or DEFAULT_CONCURRENT_LIMIT
    return max(1, int(value))


def shared_http_client(defaults: dict | None = None) -> AsyncHTTPClient:
    """One private tornado client per distinct ``defaults`` (never JupyterHub's own).

    Its connection limit (``max_clients``) is room for both semaphores below: with tornado's default of 10,
    ten slow starts held every connection, so polls and stops waited in tornado's queue and failed there
    after ``connect_timeout`` although their own semaphore had let them through.
    """
    key = json.dumps(defaults or {}, sort_keys=True, default=str)
    client = _clients.get(key)
    if client is None:
        client = AsyncHTTPClient(force_instance=True, max_clients=2 * _concurrent_limit(),
                                 defaults=dict(defaults or {}))
        _clients[key] = client
    return client


def _semaphore(kind: str) -> asyncio.Semaphore:
    """Concurrency limit per kind of call, so slow starts cannot starve poll/stop."""
    sem = _semaphores.get(kind)
    if sem is None:
        sem = _semaphores[kind] = asyncio.Semaphore(_concurrent_limit())
    return sem


class OutpostClient:
    """Start, poll and stop one server on one Outpost.

    ``base_url`` is the services URL (``.../services``), ``headers`` the
    complete header dict (Basic auth etc.), ``request_kwargs`` extra
    ``HTTPRequest`` arguments (timeouts, TLS settings).
    """

    def __init__(self, base_url: str, headers: dict | None = None,
                 request_kwargs: dict | None = None, http_client: AsyncHTTPClient | None = None):
        if not base_url:
            raise ValueError("request_url is empty: set c.OutpostSpawner.request_url")
        self.base_url = base_url.rstrip("/")
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self.headers.update(headers or {})
        self.request_kwargs = dict(request_kwargs or {})
        self.http = http_client or shared_http_client()

    def server_url(self, name: str, start_id: str, collect_logs: bool = False) -> str:
        # ``name`` is the wire name (never empty, see OutpostSpawner.wire_name)
        url = f"{self.base_url}/{quote(name, safe='')}/{quote(start_id, safe='')}"
        if collect_logs:
            url += "?collect_logs=true"
        return url

    async def _call(self, action: str, url: str, method: str, body: Any = None,
                    extra_headers: dict | None = None, request_kwargs: dict | None = None,
                    ok_404: bool = False, list_ok: bool = False) -> Any:
        headers = dict(self.headers)
        headers.update(extra_headers or {})
        kwargs = dict(self.request_kwargs)
        kwargs.update(request_kwargs or {})
        req = HTTPRequest(
            url=url, method=method, headers=headers,
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True, **kwargs,
        )
        t0 = time.monotonic()
        kind = "start" if action == "start" else "other"
        try:
            async with _semaphore(kind):
                resp = await self.http.fetch(req, raise_error=False)
        except Exception as e:  # connection refused, DNS, TLS, timeout ...
            raise OutpostError(action, url, 0, str(e) or type(e).__name__) from e
        finally:
            log.debug("%s %s took %.3fs", action, url, time.monotonic() - t0)
        if resp.code == 599 or resp.code == 0:
            err = resp.error
            raise OutpostError(action, url, 0, str(err) if err else "no response")
        if resp.code == 404 and ok_404:
            return None
        if resp.code >= 400:
            message, tb = _error_message(resp.code, resp.body or b"")
            if tb:
                log.warning("Outpost traceback for %s %s:\n%s", action, url, tb)
            raise OutpostError(action, url, resp.code, message, tb)
        try:
            data = json.loads((resp.body or b"{}").decode("utf8"))
        except ValueError:
            data = {}
        return data if isinstance(data, dict) or (list_ok and isinstance(data, list)) else {}

    async def start(self, request: StartRequest, start_async: bool = False,
                    request_kwargs: dict | None = None) -> str:
        """POST the start request; returns the ``service`` address ("" if unknown)."""
        headers = {"execution-type": "async"} if start_async else None
        data = await self._call("start", self.base_url, "POST", request.to_json(), headers,
                                request_kwargs)
        service = data.get("service") or ""
        return service if isinstance(service, str) else ""

    async def poll(self, name: str, start_id: str, collect_logs: bool = False) -> ServerStatus:
        """GET the status; a 404 raises :class:`OutpostError` with ``not_found``."""
        data = await self._call("poll", self.server_url(name, start_id, collect_logs), "GET")
        return ServerStatus.from_json(data)

    async def poll_all(self) -> list:
        """``GET /services?poll=true``: this hub's servers, each with its poll answer under ``poll`` (an Outpost
        without the feature ignores the parameter and answers the plain list: see :mod:`.bulkpoll`)."""
        data = await self._call("poll", f"{self.base_url}?poll=true", "GET", list_ok=True)
        return data if isinstance(data, list) else []

    async def stop(self, name: str, start_id: str, stop_async: bool = False,
                   collect_logs: bool = False) -> list | None:
        """DELETE the server. Returns its logs, or None when the Outpost did not know it."""
        headers = {"execution-type": "async"} if stop_async else None
        data = await self._call("stop", self.server_url(name, start_id, collect_logs), "DELETE",
                                extra_headers=headers, ok_404=True)
        if data is None:
            return None
        logs = data.get("logs") or []
        return logs.splitlines() if isinstance(logs, str) else list(logs)

    @property
    def root_url(self) -> str:
        """The Outpost's base URL (the services URL without ``/services``)."""
        url = self.base_url
        return url[: -len("/services")] if url.endswith("/services") else url

    async def flavors(self, request_kwargs: dict | None = None) -> dict:
        """``GET /flavors``: this hub's flavors, each with ``current`` (``{}`` when none are configured)."""
        return await self._call("flavors", f"{self.root_url}/flavors", "GET",
                                request_kwargs=request_kwargs)

    async def profiles(self, request_kwargs: dict | None = None) -> dict:
        """``GET /profiles``: the Kubernetes profile list this hub may use; an Outpost without that
        endpoint (404) offers none."""
        data = await self._call("profiles", f"{self.root_url}/profiles", "GET",
                                request_kwargs=request_kwargs, ok_404=True)
        return data if data is not None else {"profile_list": []}

    async def user_flavors(self, authentication: dict, request_kwargs: dict | None = None) -> dict:
        """``POST /userflavors``: the flavors of the user whose authentication data is the body."""
        return await self._call("userflavors", f"{self.root_url}/userflavors", "POST", authentication,
                                request_kwargs=request_kwargs)
