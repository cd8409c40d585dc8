"""OpenSSH port forwarding: argument lists, ControlMaster handling, input validation.

Every command is an argument list run with ``asyncio.create_subprocess_exec``;
no shell ever sees a value. Host, port, user and key are validated before they
become arguments, and ``-o`` options must have plain names.
"""
from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Sequence

from .forward_batches import ForwardBatches
from .models import format_hostport

log = logging.getLogger("outpostspawner.ssh")

USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_LABEL_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_OPTION_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")

# -o options never accepted, not even from the hub configuration: they run
# commands on the hub or change how ssh authenticates in ways a forward never needs.
FORBIDDEN_OPTIONS = frozenset(o.lower() for o in (
    "ProxyCommand", "LocalCommand", "PermitLocalCommand", "KnownHostsCommand",
    "RemoteCommand", "ProxyUseFdpass", "Match", "Include", "PKCS11Provider",
    "SecurityKeyProvider", "SendEnv", "SetEnv",
))

# Keys a caller of the setuptunnel API may set (per forward and inside "remote").
TUNNEL_API_KEYS = ("service", "ssh_node", "ssh_port", "ssh_username", "ssh_key")

REMOTE_FORWARD_OK = 217  # exit code the remote forced command uses for "done"


class SshError(Exception):
    pass


class TunnelInputError(ValueError):
    """Invalid value for a tunnel field; ``field`` names it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def is_valid_host(host: object) -> bool:
    if not isinstance(host, str) or not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return all(_LABEL_RE.match(label) for label in host.rstrip(".").split("."))


def check_host(value: object, field_name: str = "ssh_node") -> str:
    if not is_valid_host(value):
        raise TunnelInputError(field_name, "must be a host name or IP address")
    return value  # type: ignore[return-value]


def check_port(value: object, field_name: str = "ssh_port") -> int:
    if isinstance(value, bool):
        raise TunnelInputError(field_name, "must be an integer in 1..65535")
    try:
        port = int(str(value), 10)
    except (TypeError, ValueError):
        raise TunnelInputError(field_name, "must be an integer in 1..65535") from None
    if not 1 <= port <= 65535:
        raise TunnelInputError(field_name, "must be an integer in 1..65535")
    return port


def check_user(value: object, field_name: str = "ssh_username") -> str:
    if not isinstance(value, str) or not USER_RE.match(value):
        raise TunnelInputError(field_name, "must match ^[a-z_][a-z0-9_-]{0,31}$")
    return value


def check_key_path(value: object, field_name: str = "ssh_key") -> str:
    if not isinstance(value, str) or not value.startswith("/") or "\n" in value or "\0" in value:
        raise TunnelInputError(field_name, "must be an absolute file path")
    return value


def check_options(options: dict, field_name: str = "ssh_forward_options") -> dict:
    """Validate ``-o`` options from the hub configuration."""
    out = {}
    for key, value in (options or {}).items():
        if not isinstance(key, str) or not _OPTION_NAME_RE.match(key):
            raise TunnelInputError(field_name, f"invalid option name {key!r}")
        if key.lower() in FORBIDDEN_OPTIONS:
            raise TunnelInputError(field_name, f"option {key} is not allowed")
        text = str(value)
        if "\n" in text or "\r" in text or "\0" in text:
            raise TunnelInputError(field_name, f"option {key} has an invalid value")
        out[key] = text
    return out


def validate_tunnel_api_body(body: object, allowed_keys: Sequence[str]) -> dict:
    """Validate the JSON body of the setuptunnel API.

    Only ``service`` plus ssh host, port, user and key (from ``allowed_keys``)
    are accepted, at top level and in ``remote``. Everything else, in
    particular ``ssh_forward_options``, is refused.
    """
    if not isinstance(body, dict) or not body:
        raise TunnelInputError("body", "must be a non-empty JSON object")

    def check_part(part: dict, prefix: str, need_service: bool) -> dict:
        clean: dict = {}
        for key, value in part.items():
            name = f"{prefix}{key}"
            if key == "remote" and not prefix:
                continue
            if key not in TUNNEL_API_KEYS:
                raise TunnelInputError(name, "is not accepted through this API")
            if key == "service":
                from .models import split_service_address

                try:
                    host, port = split_service_address(value)
                except ValueError:
                    raise TunnelInputError(name, "must be host:port") from None
                check_host(host, name)
                check_port(port, name)
                clean[key] = format_hostport(host, port)
            elif key == "ssh_node":
                clean[key] = check_host(value, name)
            elif key == "ssh_port":
                clean[key] = check_port(value, name)
            elif key == "ssh_username":
                clean[key] = check_user(value, name)
            elif key == "ssh_key":
                path = check_key_path(value, name)
                if path not in allowed_keys:
                    raise TunnelInputError(name, "is not in the configured allow-list")
                clean[key] = path
        if need_service and "service" not in clean:
            raise TunnelInputError(f"{prefix}service", "is required")
        return clean

    result = check_part(body, "", need_service=True)
    if "remote" in body:
        remote = body["remote"]
        if not isinstance(remote, dict):
            raise TunnelInputError("remote", "must be a JSON object")
        result["remote"] = check_part(remote, "remote.", need_service=False)
    return result


@dataclass
class SshEndpoint:
    """Where and as whom to connect, plus the ``-o`` options in order."""

    node: str
    port: int
    user: str
    key: str | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_host(self.node, "ssh_node")
        self.port = check_port(self.port, "ssh_port")
        if not isinstance(self.user, str) or not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$", self.user):
            raise TunnelInputError("ssh_username", "is not a valid user name")
        if self.key is not None:
            check_key_path(self.key, "ssh_key")
        self.options = check_options(self.options)

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.node}"


def default_forward_options(endpoint_node: str, port: int, user: str, key: str | None) -> dict:
    """The default ``-o`` options of the local forward, in order."""
    opts = {
        "ServerAliveInterval": "15",
        "StrictHostKeyChecking": "accept-new",
        "ControlMaster": "auto",
        "ControlPersist": "yes",
        "Port": str(port),
        "ControlPath": f"/tmp/control_{user}@{endpoint_node}:{port}",
        "BatchMode": "yes",
        "ConnectTimeout": "10",
    }
    if key:
        opts["IdentityFile"] = key
    return opts


def default_remote_forward_options(port: int, key: str | None) -> dict:
    opts = {"StrictHostKeyChecking": "accept-new", "Port": str(port), "BatchMode": "yes",
            "ConnectTimeout": "10"}
    if key:
        opts["IdentityFile"] = key
    return opts


def base_argv(ssh_command: str, endpoint: SshEndpoint, extra: Sequence[str] = ()) -> list[str]:
    argv = [ssh_command, *extra]
    for key, value in endpoint.options.items():
        argv += ["-o", f"{key}={value}"]
    return argv


def local_forward_spec(bind: str, local_port: int, host: str, remote_port: int) -> str:
    check_host(bind, "bind address")
    check_host(host, "service")
    b = f"[{bind}]" if ":" in bind else bind
    h = f"[{host}]" if ":" in host else host
    return f"{b}:{check_port(local_port, 'port')}:{h}:{check_port(remote_port, 'service')}"


class MasterChecks:
    """Shares the answers of ``ssh -O check`` per ControlMaster within one hub process.

    With many servers behind one ssh node, every poll and every periodic forward check asked the same
    master whether it is alive, one ssh process each (1,000 servers: about 130 processes a second).
    Now checks of one master that overlap run one ssh process, and a "yes" holds for ``ttl`` seconds.
    A "no" is never kept, and a failed ``-O forward`` forgets the "yes" (``forget``), so a dead master is
    noticed and re-opened as before; each forward's own port is still checked one by one.

    ``opening(key)`` is a lock per master: when many forwards find the master gone at once (a hub restart
    with hundreds of servers), one of them opens it and the others then find it up, instead of each
    starting its own ``ssh -f -N`` and crowding sshd's unauthenticated-connection limit (MaxStartups).
    """

    def __init__(self, ttl: float = 1.0, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._alive_at: dict[tuple, float] = {}
        self._running: dict[tuple, asyncio.Future] = {}
        self._opening: dict[tuple, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = {}

    def opening(self, key: tuple) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        held = self._opening.get(key)
        if held is None or held[0] is not loop:
            held = self._opening[key] = (loop, asyncio.Lock())
        return held[1]

    async def check(self, key: tuple, run) -> bool:
        """``run()`` asks the master (an awaitable giving True when it answers); shared as described."""
        if self.seen_alive(key):
            return True
        loop = asyncio.get_running_loop()
        future = self._running.get(key)
        if future is None or future.get_loop() is not loop:
            future = loop.create_task(run())
            self._running[key] = future
            future.add_done_callback(lambda f: self._finished(key, f))
        return await asyncio.shield(future)

    def _finished(self, key: tuple, future: asyncio.Future) -> None:
        if self._running.get(key) is future:
            del self._running[key]
        if not future.cancelled() and future.exception() is None and future.result():
            self._alive_at[key] = self.clock()

    def seen_alive(self, key: tuple) -> bool:
        """The master answered within ``ttl`` (what :meth:`check` would return without asking)."""
        seen = self._alive_at.get(key)
        return seen is not None and self.clock() - seen < self.ttl

    def forget(self, key: tuple) -> None:
        self._alive_at.pop(key, None)


class SshRunner:
    """Runs ssh argument lists. Tests may swap it for a recording fake."""

    def __init__(self, ssh_command: str = "ssh"):
        self.ssh_command = ssh_command
        self.master_checks = MasterChecks()
        self.forward_batches = ForwardBatches()
        self.cancel_batches = ForwardBatches()

    async def run(self, argv: list[str], timeout: float = 10,
                  capture: bool = True) -> tuple[int, str, str]:
        """Run ``argv``; returns (rc, stdout, stderr). rc is -1 on timeout.

        With ``capture=False`` stdout/stderr go to /dev/null, which is needed when
        ssh leaves a background master holding the pipes open.
        """
        log.debug("ssh: %s", argv)
        pipe = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=pipe, stderr=pipe,
            start_new_session=True,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except asyncio.TimeoutError:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            await proc.wait()
            return -1, "", f"timed out after {timeout}s"
        return (proc.returncode or 0,
                (out or b"").decode("utf8", "replace"), (err or b"").decode("utf8", "replace"))


_RUNNERS: dict[str, SshRunner] = {}


def shared_ssh_runner(ssh_command: str = "ssh") -> SshRunner:
    """One runner per ssh command for the whole hub process, so that its spawners share master checks."""
    runner = _RUNNERS.get(ssh_command)
    if runner is None:
        runner = _RUNNERS[ssh_command] = SshRunner(ssh_command)
    return runner


class SshForwarder:
    """Local forwards through an OpenSSH ControlMaster (``-O check|forward|cancel``)."""

    def __init__(self, runner: SshRunner):
        self.runner = runner

    def _base(self, endpoint: SshEndpoint) -> list[str]:
        return base_argv(self.runner.ssh_command, endpoint)

    async def check(self, endpoint: SshEndpoint) -> bool:
        argv = list(self._check_key(endpoint))

        async def ask() -> bool:
            rc, _, _ = await self.runner.run(argv)
            return rc == 0

        checks = getattr(self.runner, "master_checks", None)  # a runner without it asks every time
        return await (checks.check(tuple(argv), ask) if checks is not None else ask())

    def seen_alive_check(self, endpoint: SshEndpoint):
        """A function telling whether the master answered a shared ``-O check`` just now (no ssh run; False when that
        is not known). Made once per forward: the periodic check asks it for every forward."""
        checks = getattr(self.runner, "master_checks", None)
        if checks is None:
            return lambda: False
        return functools.partial(checks.seen_alive, self._check_key(endpoint))

    def _check_key(self, endpoint: SshEndpoint) -> tuple:
        return tuple([*self._base(endpoint), "-O", "check", endpoint.destination])

    def _forget_check(self, endpoint: SshEndpoint) -> None:
        checks = getattr(self.runner, "master_checks", None)
        if checks is not None:
            checks.forget(self._check_key(endpoint))

    async def ensure_master(self, endpoint: SshEndpoint) -> bool:
        """Starts the ControlMaster unless it runs; True if it had to be started. One opener per master."""
        checks = getattr(self.runner, "master_checks", None)
        if checks is None:
            return await self._ensure_master(endpoint)
        async with checks.opening(self._check_key(endpoint)):
            return await self._ensure_master(endpoint)

    async def _master_opened(self, endpoint: SshEndpoint) -> None:
        """Waits while another task opens this master: a forward sent now would fail and wait for it anyway."""
        checks = getattr(self.runner, "master_checks", None)
        if checks is not None and checks.opening(self._check_key(endpoint)).locked():
            async with checks.opening(self._check_key(endpoint)):
                pass

    async def _ensure_master(self, endpoint: SshEndpoint) -> bool:
        if await self.check(endpoint):
            return False
        argv = [*base_argv(self.runner.ssh_command, endpoint, ["-f", "-N", "-n"]), endpoint.destination]
        rc, _, err = await self.runner.run(argv, timeout=20, capture=False)
        if not await self.check(endpoint):
            raise SshError(
                f"could not open an ssh connection to {endpoint.destination} port {endpoint.port} (rc {rc})"
            )
        return True

    async def forward(self, endpoint: SshEndpoint, spec: str, flag: str = "-L") -> None:
        """Make one forward; raises :class:`SshError` naming ``spec`` when it cannot be made.

        Forwards asked of the same master at about the same time go out together, in one ``-O forward``
        with many ``-L`` (see :mod:`.forward_batches`); each caller still gets its own forward's result.
        """
        batches = getattr(self.runner, "forward_batches", None)  # a runner without it: one ssh run each
        if batches is None:
            return await self.forward_one(endpoint, spec, flag)
        await batches.submit(self._master_key(endpoint), (flag, spec),
                             lambda items: self.forward_many(endpoint, items))

    def _master_key(self, endpoint: SshEndpoint) -> tuple:
        return (*self._base(endpoint), endpoint.destination)

    async def forward_many(self, endpoint: SshEndpoint, items: Sequence[tuple[str, str]]) -> list:
        """Make the forwards ``items`` ((flag, spec) each) through one master: ``None`` for each one made,
        else its own :class:`SshError`.

        One ``-O forward`` for all; if it fails, a master that is gone is opened and the batch asked again.
        If it still fails with the master up, one or more of its forwards were refused (ssh does not say
        which): the batch is split in halves, down to one forward, which gets the cancel-and-retry of
        :meth:`forward_one` and its own error. Forwards of a failed batch that were made answer "done" when
        asked again (the master takes an identical forward as a duplicate).
        """
        if len(items) == 1:
            flag, spec = items[0]
            try:
                await self.forward_one(endpoint, spec, flag)
                return [None]
            except SshError as e:
                return [e]
        await self._master_opened(endpoint)
        argv = [*self._base(endpoint), "-O", "forward"]
        for flag, spec in items:
            argv += [flag, spec]
        argv.append(endpoint.destination)
        timeout = 10 + 0.05 * len(items)  # the master binds each in turn; under load that takes a while
        rc, _, err = await self.runner.run(argv, timeout=timeout)
        if rc == 0:
            return [None] * len(items)
        self._forget_check(endpoint)
        if await self.ensure_master(endpoint):
            rc, _, err = await self.runner.run(argv, timeout=timeout)
            if rc == 0:
                return [None] * len(items)
        log.debug("ssh -O forward of %d forwards failed (rc %s): %s; splitting", len(items), rc, err.strip())
        half = len(items) // 2
        return [*await self.forward_many(endpoint, items[:half]), *await self.forward_many(endpoint, items[half:])]

    async def forward_one(self, endpoint: SshEndpoint, spec: str, flag: str = "-L") -> None:
        """One forward in its own ssh run."""
        # Ask the master straight away: with ControlPersist it is nearly always up, and `-O forward`
        # fails (rc 255) when it is not, so a `-O check` first would cost every start one more ssh run.
        await self._master_opened(endpoint)
        argv = [*self._base(endpoint), "-O", "forward", flag, spec, endpoint.destination]
        rc, _, err = await self.runner.run(argv)
        if rc == 0:
            return
        self._forget_check(endpoint)  # the master may be gone: ask it again, never trust an earlier "yes"
        if await self.ensure_master(endpoint):
            rc, _, err = await self.runner.run(argv)
            if rc == 0:
                return
        # The master is up, so this is usually a stale forward of the same spec.
        log.warning("ssh -O forward %s failed (rc %s): %s; cancelling and retrying", spec, rc, err.strip())
        await self.cancel(endpoint, spec, flag)
        rc, _, err = await self.runner.run(argv)
        if rc != 0:
            raise SshError(f"ssh forward {spec} failed (rc {rc}): {err.strip()}")

    async def cancel_together(self, endpoint: SshEndpoint, spec: str, flag: str = "-L") -> None:
        """Remove a forward of a server that stops. Cancels asked of one master at about the same time go out
        in one ``-O cancel`` with many ``-L`` (a class ending at once: one ssh run, not one per server)."""
        batches = getattr(self.runner, "cancel_batches", None)  # a runner without it: one ssh run each
        if batches is None:
            await self.cancel(endpoint, spec, flag)
            return
        await batches.submit(self._master_key(endpoint), (flag, spec),
                             lambda items: self.cancel_many(endpoint, items))

    async def cancel_many(self, endpoint: SshEndpoint, items: Sequence[tuple[str, str]]) -> list:
        """Cancel the forwards ``items`` through one master, best effort (as :meth:`cancel`): ``None`` for each.

        ssh exits 255 when any cancel of the run failed, without saying which (a forward already gone, or the
        master itself gone, which took its forwards with it). Then, if the master still answers, each forward is
        cancelled on its own, so none of them is left holding its hub-side port.
        """
        if len(items) > 1:
            argv = [*self._base(endpoint), "-O", "cancel"]
            for flag, spec in items:
                argv += [flag, spec]
            argv.append(endpoint.destination)
            rc, _, err = await self.runner.run(argv, timeout=10 + 0.05 * len(items))
            if rc == 0:
                return [None] * len(items)
            log.debug("ssh -O cancel of %d forwards: rc %s %s", len(items), rc, err.strip())
            self._forget_check(endpoint)
            if not await self.check(endpoint):
                return [None] * len(items)
        for flag, spec in items:
            await self.cancel(endpoint, spec, flag)
        return [None] * len(items)

    async def cancel(self, endpoint: SshEndpoint, spec: str, flag: str = "-L") -> int:
        argv = [*self._base(endpoint), "-O", "cancel", flag, spec, endpoint.destination]
        rc, _, err = await self.runner.run(argv)
        if rc != 0:
            log.debug("ssh -O cancel %s: rc %s %s", spec, rc, err.strip())
        return rc

    async def exit_master(self, endpoint: SshEndpoint) -> int:
        rc, _, _ = await self.runner.run([*self._base(endpoint), "-O", "exit", endpoint.destination])
        return rc


class RemoteForwarder:
    """Reverse forward (remote system -> hub) driven by a forced command on the remote side.

    The remote account's forced command understands one word, ``start``,
    ``status`` or ``stop``, and exits with 217 when it did what was asked.
    """

    def __init__(self, runner: SshRunner):
        self.runner = runner

    async def _call(self, endpoint: SshEndpoint, word: str, timeout: float) -> int:
        argv = [*base_argv(self.runner.ssh_command, endpoint, ["-n"]), endpoint.destination, word]
        rc, _, _ = await self.runner.run(argv, timeout=timeout)
        return rc

    async def start(self, endpoint: SshEndpoint, timeout: float = 10) -> None:
        rc = await self._call(endpoint, "start", timeout)
        if rc == -1:  # timed out: ask whether it is up anyway
            rc = await self._call(endpoint, "status", timeout)
        if rc != REMOTE_FORWARD_OK:
            raise SshError(
                f"remote forward via {endpoint.destination} failed (exit code {rc}, expected {REMOTE_FORWARD_OK})"
            )

    async def stop(self, endpoint: SshEndpoint, timeout: float = 10) -> int:
        return await self._call(endpoint, "stop", timeout)
