"""The forward of one server, made by the Outpost tunnel service (``outpost tunnels serve``).

Same create / check / remove shape as :class:`ServerForward`, but the ssh master and the ``-L``
listener live in the tunnel service's process (its own pod on Kubernetes), so restarting the hub
leaves them, and every open connection through them, alone.
"""
from __future__ import annotations

import ipaddress
import json
from urllib.parse import quote, urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .forward import ServerForward
from .models import split_service_address
from .ssh import TunnelInputError, check_host, check_key_path, check_port, check_user

# -o options the tunnel service sets itself (one master per node, its own ControlPath, the key it is given):
# left out of the request, they would only collide with the service's own.
SERVICE_OWNED_OPTIONS = frozenset(o.lower() for o in (
    "ControlMaster", "ControlPath", "ControlPersist", "BatchMode", "Port", "IdentityFile",
    "IdentitiesOnly", "ExitOnForwardFailure", "User",
))

# The -o options the tunnel service accepts (src/Outpost/Tunnels/TunnelSpecValidator.cs). Checked here too, so a
# wrong option fails at the hub with the option's name before any request is sent.
SERVICE_ALLOWED_OPTIONS = frozenset(o.lower() for o in (
    "ServerAliveInterval", "ServerAliveCountMax", "ConnectTimeout", "StrictHostKeyChecking",
    "UserKnownHostsFile", "Compression", "TCPKeepAlive", "IPQoS", "HostKeyAlias", "AddressFamily",
))


class TunnelServiceError(Exception):
    pass


def service_options(options: dict) -> dict:
    """The ``sshOptions`` of a request: ``ssh_forward_options`` without the service's own, the rest allow-listed."""
    out = {}
    for key, value in (options or {}).items():
        if key.lower() in SERVICE_OWNED_OPTIONS:
            continue
        if key.lower() not in SERVICE_ALLOWED_OPTIONS:
            raise TunnelInputError("ssh_forward_options", f"option {key} is not accepted by the tunnel service "
                                   f"(it takes {', '.join(sorted(SERVICE_ALLOWED_OPTIONS))})")
        out[key] = str(value)
    return out


def check_tunnel_service_url(value: str) -> str:
    """Validate ``c.OutpostSpawner.tunnel_service_url`` (empty = not used)."""
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"tunnel_service_url: must be http(s)://HOST[:PORT][/PATH], not {value!r}")
    return value.rstrip("/")


class TunnelServiceForward(ServerForward):
    """``PUT|GET|DELETE {tunnel_service_url}/tunnels/{server id}`` with the bearer token from a file."""

    RECORD = "tunnelservice"

    @property
    def exists(self) -> bool:
        return bool(self.record)

    async def open_master(self, info: dict) -> None:
        """The tunnel service holds the ssh masters."""

    def server_id(self) -> str:
        sp = self.spawner
        name = f"{sp.user.name}-{sp.name or 'default'}-{sp.user.id}"
        return "".join(c if c.isalnum() or c in "._-" else "-" for c in name)[:128].lstrip("-._") or "server"

    def connect_host(self) -> str:
        return self.spawner.tunnel_service_connect_host or urlsplit(self.spawner.tunnel_service_url).hostname

    def _token(self) -> str:
        path = self.spawner.tunnel_service_token_file
        try:
            with open(path, encoding="utf8") as f:
                token = f.read().strip()
        except OSError as e:
            raise TunnelServiceError(f"tunnel_service_token_file: cannot read {path!r}: {e.strerror}") from None
        if not token:
            raise TunnelServiceError(f"tunnel_service_token_file: {path!r} is empty")
        return token

    async def _call(self, method: str, body: dict | None = None) -> tuple[int, dict]:
        url = f"{self.spawner.tunnel_service_url}/tunnels/{quote(self.server_id(), safe='')}"
        request = HTTPRequest(url, method=method, headers={
            "Authorization": f"Bearer {self._token()}", "Content-Type": "application/json"},
            body=json.dumps(body) if body is not None else None, request_timeout=60)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as e:
            raise TunnelServiceError(f"tunnel service at {self.spawner.tunnel_service_url} unreachable: {e}") from None
        text = response.body.decode("utf8", "replace") if response.body else ""
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {"error": text[:200]}
        return response.code, data

    async def request_body(self, info: dict) -> dict:
        """The ``PUT`` body, every field checked with the service's own rules (a hostile value never leaves the hub)."""
        sp = self.spawner
        try:
            host, rport = split_service_address(info.get("service", ""))
        except ValueError as e:
            raise TunnelInputError("service", str(e)) from None
        endpoint = await self.endpoint(info)  # checks node, port, key and the deny-listed options
        if endpoint.key is not None:
            check_key_path(endpoint.key, "ssh_key")
        bind = sp.ssh_local_bind_address or "0.0.0.0"
        try:
            ipaddress.ip_address(bind)
        except ValueError:
            raise TunnelInputError("ssh_local_bind_address", "must be an IP address with the tunnel service") from None
        return {
            "bindAddress": bind,
            "localPort": check_port(sp.port, "port"),
            "remoteHost": check_host(host, "service"), "remotePort": check_port(rport, "service"),
            "sshNode": endpoint.node, "sshPort": endpoint.port,
            "sshUser": check_user(endpoint.user, "ssh_username"),
            "sshKey": endpoint.key,
            "sshOptions": service_options(endpoint.options),
        }

    async def create(self, info: dict):
        """Ask the service for the forward. The same request again leaves a working forward (and its
        connections) alone and re-creates a broken one, so this is also how the hub heals and rebuilds it."""
        sp = self.spawner
        body = await self.request_body(info)
        code, data = await self._call("PUT", body)
        if code != 200:
            field = data.get("field")
            raise TunnelServiceError(
                f"tunnel service refused the forward ({code}{', field ' + field if field else ''}): {data.get('error', '')}")
        sp.tunnels[self.RECORD] = {"server_id": self.server_id(), "port": sp.port, "node": body["sshNode"]}
        return self.connect_host(), sp.port

    def seen_working(self) -> bool:
        """Never known here: only the tunnel service can say (``diagnose`` asks it)."""
        return False

    async def diagnose(self) -> str | None:
        if not self.record:
            return "no forward recorded"
        try:
            code, data = await self._call("GET")
        except TunnelServiceError as e:
            return str(e)
        if code == 200 and data.get("healthy"):
            return None
        if code == 404:
            return "the tunnel service has no forward for this server"
        return f"tunnel service reports the forward down ({code}): {data.get('error') or data}"

    async def remove(self, info: dict) -> None:
        if self.record:
            code, data = await self._call("DELETE")
            if code not in (204, 404):
                raise TunnelServiceError(f"tunnel service could not remove the forward ({code}): {data.get('error', '')}")
        self.spawner.tunnels.pop(self.RECORD, None)
