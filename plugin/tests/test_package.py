"""The plugin as a package: scripts/build-plugin makes a wheel and an sdist with Debian's tools; the
wheel installs into a fresh virtual environment with its version and JupyterHub entry point, and
the sdist builds the same wheel again."""
import json
import re
import os
import subprocess
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*argv, **kw):
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=180, **kw)
    assert done.returncode == 0, f"{argv[:3]} failed: {done.stdout[-1500:]}\n{done.stderr[-1500:]}"
    return done.stdout


def test_wheel_and_sdist_install_with_version_and_entry_point(tmp_path):
    from outpostspawner import __version__

    out = run(os.path.join(ROOT, "scripts", "build-plugin"), str(tmp_path / "dist")).split()
    sdist, wheel = sorted(out, key=lambda p: p.endswith(".whl"))
    assert sdist.endswith(f"outpostspawner-{__version__}.tar.gz")
    assert wheel.endswith(f"outpostspawner-{__version__}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"outpostspawner-{__version__}.dist-info/METADATA").decode()
        entry = z.read(f"outpostspawner-{__version__}.dist-info/entry_points.txt").decode()
    assert {"outpostspawner/systems.py", "outpostspawner/form.py", "outpostspawner/forward.py"} <= names
    assert not any(n.startswith("tests/") for n in names)
    assert f"Version: {__version__}" in meta and re.search(r"Requires-Dist: jupyterhub \(?>=3\.0", meta)
    assert "[jupyterhub.spawners]" in entry and "outpostspawner = outpostspawner:OutpostSpawner" in entry

    venv = tmp_path / "venv"
    run("/usr/bin/python3", "-m", "venv", "--without-pip", "--system-site-packages", str(venv))
    # Debian's pip comes from the system site; the venv gets its own copy of the plugin
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
        wheel)
    probe = ("import json, outpostspawner; from importlib.metadata import entry_points;"
             "ep = [e for e in entry_points(group='jupyterhub.spawners') if e.name == 'outpostspawner'][0];"
             "print(json.dumps([outpostspawner.__file__, outpostspawner.__version__, ep.load().__name__]))")
    path, version, cls = json.loads(run(str(venv / "bin" / "python"), "-c", probe, cwd=str(tmp_path)))
    assert path.startswith(str(venv)) and version == __version__ and cls == "OutpostSpawner"

    rebuilt = tmp_path / "rebuilt"
    run("/usr/bin/python3", "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", str(rebuilt), sdist)
    with zipfile.ZipFile(rebuilt / os.path.basename(wheel)) as z:
        assert set(z.namelist()) == names

