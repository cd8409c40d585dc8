"""The ssh forwards of one server.

:class:`ServerForward` owns "the forward of one server" (hub ``-L`` port -> the server's address
behind the ssh node): it creates it, checks it and removes it, through the configured hook or the
default OpenSSH ControlMaster forward. :class:`RemoteForward` owns the optional reverse forward
(remote system -> hub). Both keep their record in ``spawner.tunnels`` (persisted with the spawner
state), so a restarted hub finds them again.
"""
from __future__ import annotations

import asyncio
from contextlib import suppress

from .listeners import LISTENERS
from .models import resolve, split_service_address
from .ssh import (
    RemoteForwarder,
    SshEndpoint,
    SshForwarder,
    default_forward_options,
    default_remote_forward_options,
    local_forward_spec,
)


def endpoint_record(endpoint: SshEndpoint) -> dict:
    return {"node": endpoint.node, "port": endpoint.port, "user": endpoint.user,
            "key": endpoint.key, "options": dict(endpoint.options)}


def endpoint_from(record: dict) -> SshEndpoint:
    return SshEndpoint(record["node"], record["port"], record["user"], record.get("key"),
                       dict(record.get("options") or {}))


async def _ssh_value(spawner, name: str, info: dict, trait_name: str | None = None):
    """A hook is called with ``info``; a plain value gives way to ``info[name]``."""
    value = getattr(spawner, trait_name or name)
    if callable(value):
        return await resolve(value, spawner, info)
    return info.get(name, value)


class ServerForward:
    """The local forward of one server: ``bind:spawner.port`` -> ``port_forward_info["service"]``."""

    RECORD = "local"

    def __init__(self, spawner):
        self.spawner = spawner

    @property
    def record(self) -> dict | None:
        return self.spawner.tunnels.get(self.RECORD)

    @property
    def exists(self) -> bool:
        """A default forward was made, or a custom hook makes it."""
        return bool(self.record or self.spawner.ssh_custom_forward)

    def connect_host(self) -> str:
        bind = self.spawner.ssh_local_bind_address
        return "127.0.0.1" if bind in ("0.0.0.0", "") else ("::1" if bind == "::" else bind)

    async def endpoint(self, info: dict) -> SshEndpoint:
        sp = self.spawner
        node = await _ssh_value(sp, "ssh_node", info)
        if sp.ssh_node_mapping:
            node = await resolve(sp.ssh_node_mapping, sp, node)
        if not node:
            raise ValueError("no ssh node: set c.OutpostSpawner.ssh_node or send ssh_node")
        port = int(await _ssh_value(sp, "ssh_port", info))
        user = await _ssh_value(sp, "ssh_username", info)
        key = await _ssh_value(sp, "ssh_key", info)
        options = default_forward_options(node, port, user, key)
        options.update(await resolve(sp.ssh_forward_options, sp, info) or {})
        return SshEndpoint(node, port, user, key, options)

    async def create(self, info: dict):
        """Make the forward; returns the (host, port) the hook answered, or the default's."""
        sp = self.spawner
        if sp.ssh_custom_forward:
            return await resolve(sp.ssh_custom_forward, sp, info)
        host, rport = split_service_address(info.get("service", ""))
        endpoint = await self.endpoint(info)
        spec = local_forward_spec(sp.ssh_local_bind_address or "0.0.0.0", sp.port, host, rport)
        sp.tunnels[self.RECORD] = {**endpoint_record(endpoint), "spec": spec}
        await SshForwarder(sp.ssh_runner).forward(endpoint, spec)
        return self.connect_host(), sp.port

    async def open_master(self, info: dict) -> None:
        """Open the ssh master the default forward goes through, unless it is up (one opener per master).

        A restarted hub calls it while it still waits for the Outpost's answers, so its first forwards find
        the master up instead of each batch failing and waiting for it. Errors are left to :meth:`create`.
        """
        if self.spawner.ssh_custom_forward:
            return
        await SshForwarder(self.spawner.ssh_runner).ensure_master(await self.endpoint(info))

    async def check(self) -> bool:
        """The default forward is up: its ssh master answers and the hub-side port accepts connections."""
        return await self.diagnose() is None

    async def diagnose(self) -> str | None:
        """What is wrong with the default forward, or ``None`` when it works."""
        record = self.record
        if not record:
            return "no forward recorded"
        endpoint, host, port = self._parsed(record)
        if not await SshForwarder(self.spawner.ssh_runner).check(endpoint):
            return "the ssh master does not answer -O check"
        if LISTENERS.listening(host, port):
            return None
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
        except (OSError, asyncio.TimeoutError):
            return f"port {port} does not accept connections"
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()
        return None

    def seen_working(self) -> bool:
        """What :meth:`diagnose` would find, when that needs no I/O: the master answered ``-O check`` within the
        last second (for any forward behind it) and the hub-side port is in the listening table of the periodic check.
        False means "not known", not "broken". The periodic check asks this first: a coroutine per forward (check,
        then diagnose) for every one of 1,000 forwards every few seconds was most of an idle hub's CPU."""
        record, sp = self.record, self.spawner
        if not record:
            return False
        seen = getattr(sp, "_forward_seen", None)  # (record, master check, host, port, runner), once per record
        if seen is None or seen[0] is not record or seen[4] is not sp.ssh_runner:
            endpoint, host, port = self._parsed(record)
            seen = sp._forward_seen = (record, SshForwarder(sp.ssh_runner).seen_alive_check(endpoint), host, port,
                                       sp.ssh_runner)
        return seen[1]() and LISTENERS.listening(seen[2], seen[3])

    def _parsed(self, record: dict) -> tuple[SshEndpoint, str, int]:
        """The record's endpoint and hub-side host and port, parsed once per record (a new forward is a new
        record): the periodic check of 1,000 forwards every few seconds spent much of its time validating them."""
        sp = self.spawner
        cached = getattr(sp, "_forward_parsed", None)
        if cached is not None and cached[0] is record:
            return cached[1]
        bind, port = record["spec"].rsplit(":", 3)[0], int(record["spec"].rsplit(":", 3)[1])
        host = self.connect_host() if bind.strip("[]") in ("0.0.0.0", "::", "") else bind.strip("[]")
        parsed = (endpoint_from(record), host, port)
        sp._forward_parsed = (record, parsed)
        return parsed

    async def remove(self, info: dict) -> None:
        sp = self.spawner
        if sp.ssh_custom_forward_remove:
            await resolve(sp.ssh_custom_forward_remove, sp, info)
        elif self.record:
            record = self.record
            await SshForwarder(sp.ssh_runner).cancel_together(endpoint_from(record), record["spec"])
        sp.tunnels.pop(self.RECORD, None)


class RemoteForward:
    """The reverse forward of one server (remote system -> hub), made before the start request."""

    RECORD, CUSTOM = "remote", "remote_custom"

    def __init__(self, spawner):
        self.spawner = spawner

    async def endpoint(self, info: dict) -> SshEndpoint:
        sp = self.spawner
        node = await _ssh_value(sp, "ssh_node", info, "ssh_remote_node")
        if sp.ssh_node_mapping:
            node = await resolve(sp.ssh_node_mapping, sp, node)
        if not node:
            raise ValueError("no remote ssh node: set c.OutpostSpawner.ssh_remote_node")
        port = int(await _ssh_value(sp, "ssh_port", info, "ssh_remote_port"))
        user = await _ssh_value(sp, "ssh_username", info, "ssh_remote_username")
        key = await _ssh_value(sp, "ssh_key", info, "ssh_remote_key")
        options = default_remote_forward_options(port, key)
        options.update(await resolve(sp.ssh_forward_remote_options, sp, info) or {})
        return SshEndpoint(node, port, user, key, options)

    async def create(self, info: dict) -> None:
        sp = self.spawner
        if sp.ssh_custom_forward_remote:
            await resolve(sp.ssh_custom_forward_remote, sp, info)
            sp.tunnels[self.CUSTOM] = True
            return
        endpoint = await self.endpoint(info)
        sp.tunnels[self.RECORD] = endpoint_record(endpoint)
        await RemoteForwarder(sp.ssh_runner).start(endpoint)

    async def remove(self, info: dict) -> None:
        sp = self.spawner
        if sp.tunnels.pop(self.CUSTOM, None):
            if sp.ssh_custom_forward_remote_remove:
                await resolve(sp.ssh_custom_forward_remote_remove, sp, info)
        elif self.RECORD in sp.tunnels:
            await RemoteForwarder(sp.ssh_runner).stop(endpoint_from(sp.tunnels[self.RECORD]))
        sp.tunnels.pop(self.RECORD, None)
