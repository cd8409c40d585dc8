"""The forward of one server, made by the Outpost tunnel service (``outpost tunnels serve``).

Same create / check / remove shape as :class:`ServerForward`, but the ssh master and the ``-L``
listener live in the tunnel service's process (its own pod on Kubernetes), so restarting the hub
leaves them, and every open connection through them, alone.
"""
from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .forward import ServerForward
from .models import split_service_address
from .ssh import check_port


class TunnelServiceError(Exception):
    pass


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

    async def create(self, info: dict):
        sp = self.spawner
        host, rport = split_service_address(info.get("service", ""))
        endpoint = await self.endpoint(info)
        body = {
            "bindAddress": sp.ssh_local_bind_address or "0.0.0.0",
            "localPort": check_port(sp.port, "port"),
            "remoteHost": host, "remotePort": rport,
            "sshNode": endpoint.node, "sshPort": endpoint.port, "sshUser": endpoint.user,
            "sshKey": endpoint.key,
        }
        code, data = await self._call("PUT", body)
        if code != 200:
            field = data.get("field")
            raise TunnelServiceError(
                f"tunnel service refused the forward ({code}{', field ' + field if field else ''}): {data.get('error', '')}")
        sp.tunnels[self.RECORD] = {"server_id": self.server_id(), "port": sp.port}
        return self.connect_host(), sp.port

    async def diagnose(self) -> str | None:
        if not self.record:
            return "no forward recorded"
        try:
            code, data = await self._call("GET")
        except TunnelServiceError as e:
            return str(e)
        if code == 200 and data.get("healthy"):
            return None
        return f"tunnel service reports the forward down ({code}): {data.get('error') or data}"

    async def remove(self, info: dict) -> None:
        if self.record:
            code, data = await self._call("DELETE")
            if code not in (204, 404):
                raise TunnelServiceError(f"tunnel service could not remove the forward ({code}): {data.get('error', '')}")
        self.spawner.tunnels.pop(self.RECORD, None)
