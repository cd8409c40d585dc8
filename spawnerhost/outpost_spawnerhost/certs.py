"""Internal-SSL files for one server, written under its work dir.

Layout (directory mode 0700, files 0600)::

    {work_dir}/certs/{user}.key  {user}.crt  notebooks-ca_trust.crt
    {work_dir}/certs/trust/{bundle}.crt      (hub-ca, proxy-api-ca, ... )

The trust bundles sit in their own sub-folder so a user named like a bundle can
never overwrite one (the original put them all in one folder).
"""

import os
import re
import shutil

STANDARD_BUNDLES = ("hub-ca", "proxy-api-ca", "proxy-client-ca", "notebooks-ca", "services-ca")
_SAFE = re.compile(r"^[A-Za-z0-9._@+-]+$")


def cert_dir(work_dir):
    return os.path.join(work_dir, "certs")


def _safe_name(name, what):
    if not name or not _SAFE.match(name) or name in (".", ".."):
        raise ValueError(f"{what} {name!r} cannot be used as a file name")
    return name


def _write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text or "")
    os.chmod(path, 0o600)


def write_certs(work_dir, user_name, certs, trust_bundles):
    """Write the files; return (cert_paths, internal_trust_bundles)."""
    base = cert_dir(work_dir)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(os.path.join(base, "trust"), mode=0o700)
    os.chmod(base, 0o700)
    os.chmod(os.path.join(base, "trust"), 0o700)
    user = _safe_name(user_name or "user", "user name")
    cert_paths = {
        "keyfile": os.path.join(base, f"{user}.key"),
        "certfile": os.path.join(base, f"{user}.crt"),
        "cafile": os.path.join(base, "notebooks-ca_trust.crt"),
    }
    for key, path in cert_paths.items():
        _write(path, certs.get(key, ""))
    bundles = {}
    for name in list(STANDARD_BUNDLES) + [n for n in (trust_bundles or {}) if n not in STANDARD_BUNDLES]:
        path = os.path.join(base, "trust", f"{_safe_name(name, 'trust bundle')}.crt")
        _write(path, (trust_bundles or {}).get(name, ""))
        bundles[name] = path
    return cert_paths, bundles


def remove_certs(work_dir):
    if work_dir:
        shutil.rmtree(cert_dir(work_dir), ignore_errors=True)
