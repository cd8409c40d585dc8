"""Live spawners, keyed by the Outpost's opaque server id.

A spawner is built from a ServerSpec and the config file as the original Outpost
builds it: a class combining ``OutpostSpawnerMixin`` with the configured spawner
class, a fake user and hub, the request's env laid over the spawner's own, and the
config section of exactly the configured class (plus ``misc`` when allowed) as
constructor keyword arguments.
"""

import asyncio
import copy
import inspect
import logging
from dataclasses import dataclass
from dataclasses import field

from traitlets import TraitError
from traitlets.config.loader import LazyConfigValue

from . import certs as certfiles
from .fakes import FakeHub
from .fakes import FakeUser

log = logging.getLogger("outpost_spawnerhost")

SSL_ENV = ("JUPYTERHUB_SSL_KEYFILE", "JUPYTERHUB_SSL_CERTFILE", "JUPYTERHUB_SSL_CLIENT_CA")


class SpawnerConfigError(Exception):
    """A config or misc value cannot be given to the spawner."""


class UnknownServer(Exception):
    """The server is not in memory and the request carries no spec to rebuild it."""


class ServerBusy(Exception):
    """A start of this server is already running."""


@dataclass(frozen=True)
class ServerSpec:
    """What the Outpost asked for (immutable)."""

    hub: str
    name: str
    start_id: str = "0"
    env: dict = field(default_factory=dict)
    user_options: dict = field(default_factory=dict)
    misc: dict = field(default_factory=dict)
    flavor: object = None
    certs: object = None
    trust_bundles: dict = field(default_factory=dict)
    auth_state: dict = field(default_factory=dict)
    work_dir: str = ""

    @classmethod
    def from_json(cls, d):
        if not isinstance(d, dict):
            raise ValueError("spec must be an object")
        for key in ("hub", "name"):
            if not isinstance(d.get(key), str):
                raise ValueError(f"spec.{key} must be a string")
        user_options = dict(d.get("user_options") or {})
        user_options.pop("start_id", None)
        return cls(
            hub=d["hub"],
            name=d["name"],
            start_id=str(d.get("start_id") or "0"),
            env={str(k): str(v) for k, v in (d.get("env") or {}).items()},
            user_options=user_options,
            misc=dict(d.get("misc") or {}),
            flavor=d.get("flavor"),
            certs=d.get("certs") or None,
            trust_bundles=dict(d.get("trust_bundles") or {}),
            auth_state=dict(d.get("auth_state") or {}),
            work_dir=str(d.get("work_dir") or ""),
        )


class OutpostSpawnerMixin:
    """Put in front of the configured spawner class.

    ``name`` is a plain class attribute here so it shadows JupyterHub's read-only
    ``Spawner.name`` property (which reads the hub's database).
    """

    name = ""
    jupyterhub_name = ""
    start_id = "0"
    flavor = None

    def __init__(self, *, outpost_spec, outpost_cert_paths=None, outpost_trust_bundles=None, **kwargs):
        spec = outpost_spec
        self.name = spec.name
        self.jupyterhub_name = spec.hub
        self.start_id = spec.start_id
        self.flavor = copy.deepcopy(spec.flavor)
        env = dict(spec.env)
        if outpost_cert_paths:
            self.internal_ssl = True
            self.cert_paths = outpost_cert_paths
            self.internal_trust_bundles = outpost_trust_bundles or {}
        else:
            self.internal_ssl = False
            for key in SSL_ENV:
                env.pop(key, None)
        self._outpost_env = env
        self.user_options = copy.deepcopy(spec.user_options)
        super().__init__(**kwargs)

    def get_env(self):
        env = super().get_env()
        env.update(self._outpost_env)  # the request's env wins
        return env


_combined = {}


def combined_class(spawner_class):
    cls = _combined.get(spawner_class)
    if cls is None:
        cls = type(f"Outpost{spawner_class.__name__}", (OutpostSpawnerMixin, spawner_class), {})
        _combined[spawner_class] = cls
    return cls


async def _maybe_await(value):
    while inspect.isawaitable(value):
        value = await value
    return value


async def allow_override(config, spec):
    """The original's rule: a hook is called with (hub, misc) only when misc is non-empty."""
    allowed = config.allow_override
    if callable(allowed):
        if not spec.misc:
            return True
        return bool(await _maybe_await(allowed(spec.hub, spec.misc)))
    return bool(allowed)


def merge_section(config, spec, allowed, user_name):
    """Section of the configured class with misc merged in (dicts: shallow update)."""
    section = {}
    for key, value in config.spawner_section.items():
        section[key] = _resolve_lazy(config.spawner_class, key, value)
    if not spec.misc:
        return section, set()
    if not allowed:
        log.info("%s:%s - misc ignored: allow_override is false for hub %s", user_name, spec.name, spec.hub)
        return section, set()
    cls_name = config.spawner_class.__name__
    for key, value in spec.misc.items():
        old = section.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            log.warning("%s:%s - hub %s overrides keys %s of c.%s.%s", user_name, spec.name, spec.hub, sorted(value), cls_name, key)
            merged = dict(old)
            merged.update(value)
            section[key] = merged
        else:
            if key in section and old != value:
                log.warning("%s:%s - hub %s overrides c.%s.%s: %r -> %r", user_name, spec.name, spec.hub, cls_name, key, old, value)
            section[key] = value
    return section, set(spec.misc)


def _resolve_lazy(spawner_class, key, value):
    if not isinstance(value, LazyConfigValue):
        return value
    trait = spawner_class.class_traits().get(key)
    initial = copy.deepcopy(trait.default_value) if trait is not None else None
    return value.get_value(initial)


def split_kwargs(spawner_class, section, from_misc):
    """(constructor kwargs for traits, plain attributes to set afterwards).

    A value that fails its trait's validation is an error naming the key (the
    original ignored it silently). Keys the spawner does not have are ignored,
    with a log line, as the original does.
    """
    traits = spawner_class.class_traits()
    kwargs, attributes = {}, {}
    for key, value in section.items():
        where = "misc key" if key in from_misc else f"c.{spawner_class.__name__}.{key} from the config file, key"
        if key in ("user", "hub", "name"):
            log.warning("ignoring %s %r: set by the Outpost", where, key)
            continue
        trait = traits.get(key)
        if trait is not None:
            try:
                trait.validate(None, copy.deepcopy(value))
            except TraitError as exc:
                raise SpawnerConfigError(f"{where} {key!r}: {exc}") from exc
            except Exception:
                pass  # validator needs a real instance; the constructor checks it
            kwargs[key] = value
        elif hasattr(spawner_class, key):
            attributes[key] = value
        else:
            log.info("ignoring %s %r: %s has no such attribute", where, key, spawner_class.__name__)
    return kwargs, attributes


async def build_spawner(config, spec, *, write_certs):
    """A new spawner for `spec`; certificates are written only for a start."""
    user = FakeUser(spec.env, spec.auth_state)
    allowed = await allow_override(config, spec)
    section, from_misc = merge_section(config, spec, allowed, user.name)
    kwargs, attributes = split_kwargs(config.spawner_class, section, from_misc)
    cert_paths = bundles = None
    if write_certs and spec.certs:
        if not spec.work_dir:
            raise ValueError("spec.work_dir is required when certs are given")
        cert_paths, bundles = certfiles.write_certs(spec.work_dir, user.name, spec.certs, spec.trust_bundles)
    cls = combined_class(config.spawner_class)
    try:
        spawner = cls(
            outpost_spec=spec,
            outpost_cert_paths=cert_paths,
            outpost_trust_bundles=bundles,
            user=user,
            hub=FakeHub(spec.env),
            **kwargs,
        )
    except TraitError as exc:
        raise SpawnerConfigError(f"{config.spawner_class_name}: {exc}") from exc
    for key, value in attributes.items():
        try:
            setattr(spawner, key, value)
        except Exception as exc:
            raise SpawnerConfigError(f"key {key!r}: {type(exc).__name__}: {exc}") from exc
    return spawner


@dataclass(eq=False)
class Server:
    """One server the host knows: its spawner and what is going on with it."""

    id: str
    spec: ServerSpec
    config: object
    spawner: object
    start_task: object = None
    start_done: asyncio.Event = field(default_factory=asyncio.Event)
    last_state: object = None

    @property
    def starting(self):
        return self.start_task is not None and not self.start_task.done()


class ServerRegistry:
    """Server id -> Server, plus a short lock per id around create/evict."""

    def __init__(self):
        self._servers = {}
        self._locks = {}

    def __len__(self):
        return len(self._servers)

    def get(self, server_id):
        return self._servers.get(server_id)

    def add(self, server):
        self._servers[server.id] = server

    def evict(self, server):
        if self._servers.get(server.id) is server:
            del self._servers[server.id]
            lock = self._locks.get(server.id)
            if lock is not None and not lock.locked():
                del self._locks[server.id]

    def lock(self, server_id):
        lock = self._locks.get(server_id)
        if lock is None:
            lock = self._locks[server_id] = asyncio.Lock()
        return lock
