"""Small data shapes mirroring the Outpost wire JSON, plus pure helpers.

Nothing in here talks to the network or imports JupyterHub.
"""
from __future__ import annotations

import html
import inspect
import re
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import escapism


async def resolve(value: Any, *args: Any) -> Any:
    """Return ``value``, or call it with ``args`` when it is callable.

    A coroutine result is awaited, so every hook may be a plain function or a
    coroutine function.
    """
    if callable(value):
        value = value(*args)
    if inspect.isawaitable(value):
        value = await value
    return value


def now_stamp() -> str:
    """Local time with milliseconds, the timestamp format used in events."""
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def make_event(progress: int, message: str, summary: str | None = None,
               details: str = "", failed: bool = False) -> dict:
    """Build a progress event. ``summary`` and ``details`` are escaped here."""
    summary = message if summary is None else summary
    body = (
        f"<details><summary>{now_stamp()}: {html.escape(summary)}</summary>"
        f"{html.escape(details).replace(chr(10), '<br>')}</details>"
    )
    return {
        "progress": progress,
        "failed": failed,
        "ready": False,
        "message": message,
        "html_message": body,
    }


def stamp_incoming_event(event: dict) -> dict:
    """Add a timestamp to an event received from the Outpost (in place)."""
    msg = event.get("html_message") or event.get("message") or ""
    prefix = "<details><summary>"
    if isinstance(msg, str) and msg.startswith(prefix):
        event["html_message"] = f"{prefix}{now_stamp()}: {msg[len(prefix):]}"
    elif not event.get("html_message"):
        event["html_message"] = html.escape(str(event.get("message", "")))
    return event


def is_repeat(event: dict, recorded: list) -> bool:
    """Whether ``event`` carries an ``id`` that one of the ``recorded`` events already has.

    The Outpost sends each event at least once: when it cannot know whether the hub took an
    event (an answer was lost, or the Outpost replica that relays events changed), it sends it
    again with the same ``id``. Events without an id (older Outposts) are never repeats.
    """
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        return False
    return any(isinstance(e, dict) and e.get("id") == event_id for e in recorded)


_HOSTPORT = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:/\[\]]+)):(?P<port>\d{1,5})$")


def split_service_address(service: str) -> tuple[str, int]:
    """Split an Outpost ``service`` answer into (host, port).

    Accepts ``host:port``, ``[v6]:port`` and the same with an ``http(s)://``
    prefix and an optional trailing path.
    """
    if not isinstance(service, str) or not service.strip():
        raise ValueError("empty service address")
    s = service.strip()
    for scheme in ("https://", "http://"):
        if s.startswith(scheme):
            s = s[len(scheme):]
    s = s.split("/", 1)[0]
    m = _HOSTPORT.match(s)
    if not m:
        raise ValueError(f"service address {service!r} is not host:port")
    port = int(m.group("port"))
    if not 0 < port < 65536:
        raise ValueError(f"service address {service!r} has an invalid port")
    return (m.group("v6") or m.group("host")), port


def format_hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


_SAFE = set(string.ascii_lowercase + string.digits)


def escape_dns_label(value: str) -> str:
    """Escape a name so it only holds ``[a-z0-9-]`` (kubespawner style)."""
    return escapism.escape(value, safe=_SAFE, escape_char="-").lower()


def legacy_escape(value: str) -> str:
    return "".join(c if c in _SAFE else "-" for c in value.lower())


def expand_name_template(template: str, *, username: str, userid: int, servername: str,
                         hubnamespace: str) -> str:
    """Expand ``svc_name_template`` and trim it to a valid 63-character DNS label."""
    name = template.format(
        username=escape_dns_label(username),
        unescaped_username=username,
        legacy_escape_username=legacy_escape(username),
        userid=userid,
        servername=escape_dns_label(servername),
        unescaped_servername=servername,
        hubnamespace=hubnamespace,
    ).rstrip("-")
    if len(name) > 63:
        import hashlib

        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:54].rstrip('-')}-{digest}"
    return name


@dataclass
class StartRequest:
    """Body of ``POST /services``."""

    name: str
    env: dict = field(default_factory=dict)
    user_options: dict = field(default_factory=dict)
    misc: dict = field(default_factory=dict)
    certs: dict = field(default_factory=dict)
    internal_trust_bundles: dict = field(default_factory=dict)
    authentication: dict | None = None

    def to_json(self) -> dict:
        body = {
            "name": self.name,
            "env": self.env,
            "user_options": self.user_options,
            "misc": self.misc,
            "certs": self.certs,
            "internal_trust_bundles": self.internal_trust_bundles,
        }
        if self.authentication is not None:
            body["authentication"] = self.authentication
        return body


@dataclass
class ServerStatus:
    """Answer of ``GET /services/{name}/{start_id}``."""

    status: int | None
    logs: list = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any) -> "ServerStatus":
        if not isinstance(data, dict):
            return cls(status=None)
        status = data.get("status")
        if status is not None:
            try:
                status = int(status)
            except (TypeError, ValueError):
                status = 1
        logs = data.get("logs") or []
        if isinstance(logs, str):
            logs = logs.splitlines()
        return cls(status=status, logs=list(logs))
