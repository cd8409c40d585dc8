"""Loading the original Outpost's Python config file.

The file is a traitlets config file: ``c.JupyterHubOutpost.<option>`` for the host
and ``c.<SpawnerClass>.<trait>`` for the spawner. It is executed again for every
new spawner, as the original Outpost does, so edits apply to the next start.
"""

import os
import traceback
from dataclasses import dataclass
from dataclasses import field

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

OUTPOST_SECTION = "JupyterHubOutpost"


class ConfigFileError(Exception):
    """The config file is missing or raised while it was executed.

    The message starts with ``<file>, line <n>:`` when the line is known.
    """


@dataclass
class OutpostConfig:
    """What one execution of the config file yields."""

    path: str
    spawner_class: type
    # traits of exactly the configured class: c.<ClassName>.<trait>
    spawner_section: dict = field(default_factory=dict)
    allow_override: object = True
    sanitize_start_response: object = None

    @property
    def spawner_class_name(self):
        return f"{self.spawner_class.__module__}.{self.spawner_class.__qualname__}"


def _line_of(exc, path):
    """The line of `path` where `exc` was raised (innermost frame in the file)."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def load_config(path):
    """Execute the config file at `path` and return an OutpostConfig.

    Raises ConfigFileError naming file and line for any error in the file.
    """
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise ConfigFileError(f"{path}: no such file")
    loader = PyFileConfigLoader(os.path.basename(path), path=os.path.dirname(path))
    try:
        config = loader.load_config()
    except Exception as exc:  # anything the file itself raises
        line = _line_of(exc, path)
        where = f"{path}, line {line}" if line else path
        detail = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise ConfigFileError(f"{where}: {type(exc).__name__}: {detail}") from exc
    return _interpret(path, config)


def _interpret(path, config: Config):
    from jupyterhub.spawner import LocalProcessSpawner

    outpost = config.get(OUTPOST_SECTION, {}) if OUTPOST_SECTION in config else {}
    spawner_class = outpost.get("spawner_class", LocalProcessSpawner)
    if isinstance(spawner_class, str):
        # the original needs a class object; accept "module.Class" as a convenience
        spawner_class = _import_class(path, spawner_class)
    if not isinstance(spawner_class, type):
        raise ConfigFileError(
            f"{path}: c.{OUTPOST_SECTION}.spawner_class must be a Spawner class, "
            f"not {spawner_class!r}"
        )
    name = spawner_class.__name__
    section = dict(config[name]) if name in config else {}
    return OutpostConfig(
        path=path,
        spawner_class=spawner_class,
        spawner_section=section,
        allow_override=outpost.get("allow_override", True),
        sanitize_start_response=outpost.get("sanitize_start_response", None),
    )


def _import_class(path, dotted):
    module_name, _, class_name = dotted.rpartition(".")
    try:
        module = __import__(module_name, fromlist=[class_name])
        return getattr(module, class_name)
    except Exception as exc:
        raise ConfigFileError(
            f"{path}: c.{OUTPOST_SECTION}.spawner_class {dotted!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc

