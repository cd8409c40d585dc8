"""The profile part of the spawn form in a real browser: Debian's headless chromium renders the
form the plugin builds from an Outpost's ``GET /profiles`` answer (screenshot), a script in the
page clicks a profile and picks choices, and the fields the browser itself would post
(``FormData``) give the ``user_options`` the Outpost receives."""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from browser import run_chromium
from harness import REPO
from outpostspawner.form import SystemOffer, parse_form, profiles_of, render_form
from outpostspawner.systems import parse_systems

RESULTS = Path(os.environ.get("RESULTS_DIR") or REPO / "test-results").resolve()

ANSWER = {"profile_list": [
    {"slug": "small", "display_name": "Small", "description": "1 core, 2 GB", "default": False,
     "profile_options": {}},
    {"slug": "gpu", "display_name": "GPU", "description": "one A100", "default": True, "profile_options": {
        "image": {"display_name": "Image",
                  "choices": {"pytorch": {"display_name": "PyTorch", "default": True},
                              "tf": {"display_name": "TensorFlow", "default": False}},
                  "unlisted_choice": {"enabled": True, "display_name": "Other image",
                                      "validation_regex": "^nb:.+$", "validation_message": "nb:<tag>"}},
        "gpus": {"display_name": "GPUs", "choices": {"one": {"display_name": "1", "default": True},
                                                      "two": {"display_name": "2", "default": False}}}}},
]}

# Writes what the form would post into the page, for --dump-dom.
POSTED = """
  const posted = {};
  for (const [k, v] of new FormData(document.getElementById('spawn'))) { (posted[k] = posted[k] || []).push(v); }
  document.getElementById('posted').textContent = JSON.stringify(posted);
"""

# Clicks as a user would: the small profile first, then back to GPU with a typed image and two GPUs.
CLICKS = """
  const form = document.getElementById('spawn');
  document.querySelector('input[name="profile.k8s"][value="small"]').click();
  document.querySelector('input[name="profile.k8s"][value="gpu"]').click();
  form.querySelector('select[name="profile-option.k8s.gpu.image"]').value = 'unlisted_choice';
  form.querySelector('input[name="profile-option.k8s.gpu.image.unlisted"]').value = 'nb:2025.01';
  form.querySelector('select[name="profile-option.k8s.gpu.gpus"]').value = 'two';
"""


def page(form_html: str, script: str = "") -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"></head><body>'
            f'<form id="spawn" method="post">{form_html}<input type="submit" value="Start"></form>'
            f'<pre id="posted"></pre>' + (f"<script>{script}</script>" if script else "") + "</body></html>")


def test_profile_form_in_headless_chromium(tmp_path):
    systems = parse_systems({"k8s": {"url": "http://127.0.0.1:9", "display_name": "Kubernetes"}})
    offer = SystemOffer(systems["k8s"], [], profiles=profiles_of(ANSWER))
    form_html = render_form([offer])

    RESULTS.mkdir(parents=True, exist_ok=True)
    shown = RESULTS / "plugin-profile-form.html"
    shown.write_text(page(form_html))
    png = RESULTS / "plugin-profile-form.png"
    png.unlink(missing_ok=True)
    run_chromium(shown, f"--screenshot={png}", "--window-size=900,500", "--hide-scrollbars")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, "a real screenshot"

    clicked = tmp_path / "clicked.html"
    clicked.write_text(page(form_html, CLICKS + POSTED))
    dom = run_chromium(clicked, "--dump-dom")
    posted = json.loads(html.unescape(re.search(r'<pre id="posted">(.*?)</pre>', dom, re.S).group(1)))
    assert posted["profile.k8s"] == ["gpu"]
    assert parse_form(posted, systems) == {
        "system": "k8s", "profile": "gpu", "image": "unlisted_choice",
        "image--unlisted-choice": "nb:2025.01", "gpus": "two"}
    # Without clicks the browser posts the defaults: the default profile and its default choices.
    untouched = tmp_path / "untouched.html"
    untouched.write_text(page(form_html, POSTED))
    dom = run_chromium(untouched, "--dump-dom")
    posted = json.loads(html.unescape(re.search(r'<pre id="posted">(.*?)</pre>', dom, re.S).group(1)))
    assert parse_form(posted, systems) == {"system": "k8s", "profile": "gpu", "image": "pytorch", "gpus": "one"}
