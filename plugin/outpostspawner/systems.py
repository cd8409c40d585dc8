"""Declared systems: ``c.OutpostSpawner.systems`` maps a system name to its Outpost and tunnel.

One entry per remote system, for example::

    c.OutpostSpawner.systems = {
        "hpc": {
            "display_name": "HPC cluster",
            "url": "https://outpost.hpc.example",          # the Outpost, without /services
            "username": "central-hub",                     # the hub's name at that Outpost
            "password_file": "/etc/jupyterhub/outpost/hpc", # or "password_env": "OUTPOST_HPC_PASSWORD"
            "ssh_node": "tunnel.hpc.example", "ssh_port": 2222,
            "ssh_username": "jhuboutpost", "ssh_key": "/etc/jupyterhub/ssh/hpc",
        },
    }

The plugin derives the per-system hooks (``request_url``, ``request_headers``, ``ssh_node`` ...) from
this table; a hook set explicitly in the configuration still wins. Nothing here talks to the network
and nothing imports JupyterHub.
"""
from __future__ import annotations

import base64
import copy
import os
import re
from dataclasses import dataclass, field

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_HUB_NAME_RE = re.compile(r"^[^:\s]{1,128}$")

# key -> (accepted types, what it is); the table also documents the option.
SYSTEM_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "display_name": ((str,), "name shown in the spawn form (default: the system's key)"),
    "description": ((str,), "one line shown under the name in the spawn form"),
    "url": ((str,), "the Outpost's base URL (required); the services URL is <url>/services"),
    "username": ((str,), "this hub's name at the Outpost (HTTP Basic user name)"),
    "password_file": ((str,), "file holding this hub's password at the Outpost (re-read on use)"),
    "password_env": ((str,), "environment variable holding that password"),
    "ssh_node": ((str,), "ssh host of the tunnel to this system's servers"),
    "ssh_port": ((int,), "ssh port of the tunnel (default 22)"),
    "ssh_username": ((str,), "ssh user of the tunnel (default jhuboutpost)"),
    "ssh_key": ((str,), "private key file of the tunnel"),
    "ssh_forward_options": ((dict,), "extra ssh -o options of the tunnel"),
    "ssh_during_startup": ((bool,), "make the tunnel during start (default: true when ssh_node is set)"),
    "svc_create": ((bool,), "create a Kubernetes Service per server pointing at the hub pod (default true)"),
    "extra_labels": ((dict,), "labels of that Service, also sent as misc.extra_labels"),
    "request_kwargs": ((dict,), "tornado HTTPRequest arguments for this Outpost (timeouts, ca_certs ...)"),
    "custom_misc": ((dict,), "misc overrides sent with every start on this system"),
    "start_async": ((bool,), "start in the background on the Outpost (default false)"),
    "flavors_update_token_file": ((str,), "file holding the hub API token the Outpost pushes flavor usage with"),
    "flavors_update_token_env": ((str,), "environment variable holding that token"),
}


class SystemsConfigError(ValueError):
    """``c.OutpostSpawner.systems`` is invalid; ``problems`` lists every error, each naming its key."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class SystemChoiceError(ValueError):
    """The user's ``user_options["system"]`` names no declared system (or is missing)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.jupyterhub_message = message  # shown on JupyterHub's spawn pages


def key_of(name: str, key: str | None = None) -> str:
    path = f'c.OutpostSpawner.systems["{name}"]'
    return f'{path}["{key}"]' if key else path


def _read_secret(name: str, entry: dict, stem: str, environ) -> str:
    """The secret of ``<stem>_file`` / ``<stem>_env``; the error names the key, never the value."""
    file_key, env_key = f"{stem}_file", f"{stem}_env"
    if entry.get(file_key):
        path = entry[file_key]
        try:
            with open(path) as f:
                value = f.read().strip()
        except OSError as e:
            raise SystemsConfigError([f"{key_of(name, file_key)}: cannot read {path} ({e.strerror})"]) from None
        if not value:
            raise SystemsConfigError([f"{key_of(name, file_key)}: {path} is empty"])
        return value
    if entry.get(env_key):
        value = (environ.get(entry[env_key]) or "").strip()
        if not value:
            raise SystemsConfigError([f"{key_of(name, env_key)}: environment variable {entry[env_key]} is not set"])
        return value
    return ""


@dataclass(frozen=True)
class System:
    """One declared system, validated. Secrets are read on use, never stored here."""

    name: str
    url: str
    display_name: str
    description: str = ""
    username: str = ""
    settings: dict = field(default_factory=dict)  # the entry as configured (types checked)

    @property
    def services_url(self) -> str:
        return f"{self.url}/services"

    def get(self, key: str, default=None):
        value = self.settings.get(key, default)
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    def authorization(self, environ=os.environ) -> str | None:
        """``Basic ...`` for this hub at the Outpost, or None without credentials."""
        if not self.username:
            return None
        password = _read_secret(self.name, self.settings, "password", environ)
        raw = f"{self.username}:{password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def flavors_update_token(self, environ=os.environ) -> str:
        return _read_secret(self.name, self.settings, "flavors_update_token", environ)

    def __repr__(self) -> str:  # never shows secrets (there are none here, but keep it short)
        return f"<System {self.name} {self.url}>"


def parse_systems(raw: object, environ=os.environ, check_secrets: bool = True) -> dict[str, System]:
    """Validate ``c.OutpostSpawner.systems``; raises :class:`SystemsConfigError` listing every problem.

    With ``check_secrets`` the password and token files must be readable and the variables set
    (done at hub start-up); their contents are never kept or logged.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SystemsConfigError(["c.OutpostSpawner.systems: must be a dict of system name -> settings"])
    problems: list[str] = []
    systems: dict[str, System] = {}
    for name, entry in raw.items():
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(f"c.OutpostSpawner.systems[{name!r}]: a system name is 1-63 letters, digits, "
                            "'_', '.' or '-', starting with a letter or digit")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{key_of(name)}: must be a dict of settings")
            continue
        before = len(problems)
        for key, value in entry.items():
            if key not in SYSTEM_KEYS:
                problems.append(f"{key_of(name, key)}: unknown key (known: {', '.join(sorted(SYSTEM_KEYS))})")
                continue
            types = SYSTEM_KEYS[key][0]
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                problems.append(f"{key_of(name, key)}: must be {' or '.join(t.__name__ for t in types)}")
        url = entry.get("url")
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+(/\S*)?$", url or ""):
            problems.append(f"{key_of(name, 'url')}: required, an http(s) URL of the Outpost")
        elif url.rstrip("/").endswith("/services"):
            problems.append(f"{key_of(name, 'url')}: give the Outpost's base URL, without /services")
        for stem in ("password", "flavors_update_token"):
            if entry.get(f"{stem}_file") and entry.get(f"{stem}_env"):
                problems.append(f"{key_of(name, stem + '_file')}: set {stem}_file or {stem}_env, not both")
        if "password" in entry:
            problems.append(f"{key_of(name, 'password')}: passwords are not written into the configuration; "
                            "use password_file or password_env")
        username = entry.get("username")
        has_password = bool(entry.get("password_file") or entry.get("password_env"))
        if username is not None and (not isinstance(username, str) or not _HUB_NAME_RE.match(username)):
            problems.append(f"{key_of(name, 'username')}: a hub name without ':' or spaces")
        if has_password and not username:
            problems.append(f"{key_of(name, 'username')}: required with password_file/password_env")
        if username and not has_password:
            problems.append(f"{key_of(name, 'password_file')}: the hub {username!r} needs password_file or password_env")
        port = entry.get("ssh_port")
        if isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
            problems.append(f"{key_of(name, 'ssh_port')}: must be in 1..65535")
        for key in ("ssh_key", "password_file", "flavors_update_token_file"):
            path = entry.get(key)
            if isinstance(path, str) and path and not path.startswith("/"):
                problems.append(f"{key_of(name, key)}: must be an absolute path")
        if check_secrets and len(problems) == before:
            for stem in ("password", "flavors_update_token"):
                try:
                    _read_secret(name, entry, stem, environ)
                except SystemsConfigError as e:
                    problems.extend(e.problems)
            key = entry.get("ssh_key")
            if isinstance(key, str) and key and not os.access(key, os.R_OK):
                problems.append(f"{key_of(name, 'ssh_key')}: cannot read {key}")
        if len(problems) == before:
            systems[name] = System(
                name=name, url=url.rstrip("/"),
                display_name=entry.get("display_name") or name,
                description=entry.get("description") or "",
                username=username or "", settings=dict(entry),
            )
    if problems:
        raise SystemsConfigError(problems)
    return systems


def choose(systems: dict[str, System], user_options: dict, remembered: str = "") -> System:
    """The system of one start: ``user_options["system"]``; with one declared system it may be left out."""
    name = user_options.get("system") if isinstance(user_options, dict) else None
    name = name or remembered
    if not name:
        if len(systems) == 1:
            return next(iter(systems.values()))
        raise SystemChoiceError(
            f"user_options.system is missing: choose one of {', '.join(sorted(systems))}")
    if not isinstance(name, str) or name not in systems:
        raise SystemChoiceError(
            f"user_options.system: {str(name)[:80]!r} is not a declared system "
            f"(declared: {', '.join(sorted(systems))})")
    return systems[name]


# ---------------------------------------------------------------------- hooks derived from the table
# trait -> how its per-system value is found. "ssh" hooks keep the trait's documented order: a value
# the Outpost sent in port_forward_info (setuptunnel) comes first, then the system's, then the default.
_SSH_TRAITS = ("ssh_node", "ssh_port", "ssh_username", "ssh_key")
_PLAIN_TRAITS = ("request_kwargs", "ssh_forward_options", "svc_create", "extra_labels", "custom_misc",
                 "start_async")
DERIVED_TRAITS = ("request_url", "request_headers", "ssh_during_startup", *_SSH_TRAITS, *_PLAIN_TRAITS)


def derived_hook(trait_name: str, static_default):
    """The hook for ``trait_name`` that reads the chosen system of the spawner it is called with.

    The spawner provides ``current_system()``; ``static_default`` is the trait's own default, used
    when the system does not set the key.
    """
    def fallback():
        return copy.deepcopy(static_default)

    if trait_name == "request_url":
        def hook(spawner, *args):
            return spawner.current_system().services_url
    elif trait_name == "request_headers":
        def hook(spawner, *args):
            auth = spawner.current_system().authorization()
            return {"Authorization": auth} if auth else {}
    elif trait_name == "ssh_during_startup":
        def hook(spawner, *args):
            system = spawner.current_system()
            return system.get("ssh_during_startup", bool(system.get("ssh_node")))
    elif trait_name in _SSH_TRAITS:
        def hook(spawner, info=None, *args):
            if isinstance(info, dict) and info.get(trait_name) not in (None, ""):
                return info[trait_name]
            return spawner.current_system().get(trait_name, fallback())
    elif trait_name in _PLAIN_TRAITS:
        def hook(spawner, *args):
            return spawner.current_system().get(trait_name, fallback())
    else:  # pragma: no cover - a programming error
        raise KeyError(trait_name)
    hook.__name__ = f"systems_{trait_name}"
    hook.__qualname__ = hook.__name__
    hook.derived_from_systems = True
    return hook
