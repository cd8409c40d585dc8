"""What a browser does with JupyterHub's pages, without a browser: log in, read the spawn form,
post its fields; and Debian's chromium, headless, for a screenshot and the DOM it built."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import requests


class FormReader(HTMLParser):
    """The first ``<form>`` with inputs: its action and every ``<input>``'s attributes."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.inputs: list[dict] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
            self._in_form = True
        elif tag == "input" and self._in_form:
            self.inputs.append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader


def fields_for(form: FormReader, choices: dict) -> dict:
    """The fields a browser posts after the user clicked ``choices`` (radio group -> value):
    hidden and text inputs, and for each radio group the checked, enabled one."""
    data: dict = {}
    for i in form.inputs:
        name, kind = i.get("name"), i.get("type", "text")
        if not name or "disabled" in i:
            continue
        if kind == "radio":
            if name in choices:
                if i.get("value") == choices[name]:
                    data[name] = i["value"]
            elif "checked" in i:
                data[name] = i.get("value", "on")
        elif kind in ("hidden", "text"):
            data[name] = i.get("value", "")
    missing = [k for k in choices if data.get(k) != choices[k]]
    assert not missing, f"the form has no enabled choice for {missing}: {form.inputs}"
    return data


def login(hub_url: str, user: str) -> requests.Session:
    """Log in through the login page (DummyAuthenticator), as a browser would."""
    session = requests.Session()
    page = session.get(f"{hub_url}/hub/login", timeout=20)
    page.raise_for_status()
    form = read_form(page.text)
    data = {i["name"]: i.get("value", "") for i in form.inputs if i.get("type") == "hidden" and i.get("name")}
    data.update(username=user, password="any")
    r = session.post(f"{hub_url}/hub/login", data=data, allow_redirects=False, timeout=20)
    assert r.status_code == 302, f"login of {user} failed: {r.status_code} {r.text[:300]}"
    return session


def chromium() -> str:
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    raise RuntimeError("chromium is not installed; scripts/install-deps installs Debian's chromium package")


def run_chromium(page: Path, *args: str) -> str:
    profile = tempfile.mkdtemp(prefix="hubside-chromium-")
    try:
        done = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--force-device-scale-factor=1", f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-1500:]}"
        return done.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
