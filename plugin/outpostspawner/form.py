"""The spawn form built from the declared systems and what their Outposts offer.

Pure functions: :func:`render_form` turns offers into HTML (every text escaped), and
:func:`parse_form` turns the posted fields into ``user_options`` (``system`` and ``flavor``).
The form is a convenience; the Outpost checks the flavor again on start.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .systems import NAME_RE, System

FLAVOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


@dataclass
class FlavorChoice:
    name: str
    display_name: str
    description: str
    current: int
    max: int  # -1: no limit
    max_per_user: int  # 0: no limit
    disabled_reason: str = ""


@dataclass
class SystemOffer:
    system: System
    flavors: list[FlavorChoice]
    unavailable_reason: str = ""  # the Outpost does not answer, or every flavor is full


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def offer_of(system: System, flavors: dict | None, error: str = "", own: dict | None = None) -> SystemOffer:
    """One system's entry in the form from the flavors its Outpost reported (None: no answer);
    ``own`` counts the user's running servers per flavor on this system (for ``maxPerUser``)."""
    if flavors is None:
        return SystemOffer(system, [], error or "the Outpost does not answer")
    choices = []
    items = [(n, f) for n, f in flavors.items() if isinstance(f, dict) and FLAVOR_RE.match(str(n))]
    items.sort(key=lambda item: (_int(item[1].get("weight"), 0), ))  # stable: the Outpost's order within a weight
    for name, flavor in items:
        current, limit = _int(flavor.get("current"), 0), _int(flavor.get("max"), -1)
        per_user, mine = _int(flavor.get("maxPerUser"), 0), (own or {}).get(name, 0)
        reason = f"full: {current} of {limit} in use" if limit != -1 and current >= limit else ""
        if not reason and per_user and mine >= per_user:
            reason = f"you run {mine} of the {per_user} allowed per user"
        choices.append(FlavorChoice(
            name=name, display_name=str(flavor.get("display_name") or name),
            description=str(flavor.get("description") or ""), current=current, max=limit,
            max_per_user=per_user, disabled_reason=reason,
        ))
    unavailable = ""
    if choices and all(c.disabled_reason for c in choices):
        unavailable = "no flavor can be started now (each one says why)"
    return SystemOffer(system, choices, unavailable)


STYLE = """
<style>
.outpost-form fieldset.outpost-system { border: 1px solid #ccc; border-radius: 4px; padding: 8px 14px; margin: 0 0 12px 0; }
.outpost-form fieldset.outpost-system.unavailable { background: #f6f6f6; color: #777; }
.outpost-form legend { font-size: 1.15em; border: 0; width: auto; margin: 0; padding: 0 6px; }
.outpost-form .outpost-description { margin: 2px 0 6px 0; }
.outpost-form .outpost-unavailable { color: #a94442; font-weight: bold; margin: 4px 0; }
.outpost-form ul.outpost-flavors { list-style: none; padding-left: 18px; margin: 4px 0; }
.outpost-form .outpost-usage { color: #555; font-size: 0.9em; margin-left: 6px; }
.outpost-form .outpost-flavor.disabled { color: #999; }
.outpost-form .outpost-reason { color: #a94442; margin-left: 6px; }
</style>
"""


def _usage(choice: FlavorChoice) -> str:
    used = f"{choice.current} of {choice.max} in use" if choice.max != -1 else f"{choice.current} in use, no limit"
    if choice.max_per_user:
        used += f", at most {choice.max_per_user} per user"
    return used


def render_form(offers: list[SystemOffer]) -> str:
    """HTML for JupyterHub's spawn page (inside its ``<form>``)."""
    e = html.escape
    single = len(offers) == 1
    first_open = next((o for o in offers if not o.unavailable_reason), None)
    parts = [STYLE, '<div class="outpost-form">']
    for offer in offers:
        s = offer.system
        unavailable = bool(offer.unavailable_reason)
        classes = "outpost-system" + (" unavailable" if unavailable else "")
        parts.append(f'<fieldset class="{classes}" data-system="{e(s.name)}">')
        if single:
            if not unavailable:
                parts.append(f'<input type="hidden" name="system" value="{e(s.name)}">')
            parts.append(f"<legend>{e(s.display_name)}</legend>")
        else:
            checked = " checked" if offer is first_open else ""
            disabled = " disabled" if unavailable else ""
            parts.append(
                f'<legend><label><input type="radio" name="system" value="{e(s.name)}"{checked}{disabled}> '
                f"{e(s.display_name)}</label></legend>")
        if s.description:
            parts.append(f'<div class="outpost-description">{e(s.description)}</div>')
        if unavailable:
            parts.append(f'<div class="outpost-unavailable">Unavailable: {e(offer.unavailable_reason)}</div>')
        if offer.flavors:
            parts.append('<ul class="outpost-flavors">')
            first_free = next((c for c in offer.flavors if not c.disabled_reason), None)
            for c in offer.flavors:
                off = bool(c.disabled_reason) or unavailable
                attrs = (" disabled" if off else "") + (" checked" if c is first_free and not unavailable else "")
                cls = "outpost-flavor" + (" disabled" if off else "")
                field_id = e(f"flavor-{s.name}-{c.name}")
                parts.append(
                    f'<li class="{cls}" data-flavor="{e(c.name)}"><label for="{field_id}">'
                    f'<input type="radio" id="{field_id}" name="flavor.{e(s.name)}" value="{e(c.name)}"{attrs}> '
                    f"<b>{e(c.display_name)}</b></label>"
                    + (f" &ndash; {e(c.description)}" if c.description else "")
                    + f'<span class="outpost-usage">({e(_usage(c))})</span>'
                    + (f'<span class="outpost-reason">{e(c.disabled_reason)}</span>' if c.disabled_reason else "")
                    + "</li>")
            parts.append("</ul>")
        parts.append("</fieldset>")
    parts.append("</div>")
    return "\n".join(parts)


class FormError(ValueError):
    pass


def parse_form(formdata: dict, systems: dict[str, System]) -> dict:
    """``user_options`` from the posted form: ``{"system": ..., "flavor": ...}`` (flavor if chosen)."""
    def one(key: str) -> str:
        values = formdata.get(key) or []
        value = values[0] if isinstance(values, list) and values else values
        return value.strip() if isinstance(value, str) else ""

    name = one("system")
    if not name and len(systems) == 1:
        name = next(iter(systems))
    if not name:
        raise FormError("Choose a system.")
    if not NAME_RE.match(name) or name not in systems:
        raise FormError(f"{name[:80]!r} is not one of the systems of this hub.")
    options = {"system": name}
    flavor = one(f"flavor.{name}")
    if flavor:
        if not FLAVOR_RE.match(flavor):
            raise FormError("The flavor name is not valid.")
        options["flavor"] = flavor
    return options


async def system_offer(system: System, client, cache, auth_state, user_name: str, ttl: float,
                       timeout: float, own: dict | None = None) -> SystemOffer:
    """One system's entry: its Outpost's flavors from ``cache`` (``GET /flavors``; and ``POST
    /userflavors`` when the user's auth state has ``outpost_flavors``, as the original plugin)."""
    from .flavors import with_hub_usage

    kwargs = {"request_timeout": timeout, "connect_timeout": timeout}
    try:
        hub = await cache.hub_flavors(system.name, lambda: client().flavors(kwargs), ttl)
    except Exception as e:  # an unreadable credentials file: say so, never its content
        return offer_of(system, None, str(e))
    if not hub.reachable or not (auth_state and auth_state.get("outpost_flavors")):
        return offer_of(system, hub.flavors, hub.error, own)
    authentication = {"name": auth_state.get("name", ""), "groups": auth_state.get("groups", [])}
    mine = await cache.user_flavors(system.name, user_name,
                                    lambda: client().user_flavors(authentication, kwargs), ttl)
    if not mine.reachable:
        return offer_of(system, None, mine.error)
    return offer_of(system, with_hub_usage(mine.flavors, hub.flavors), own=own)
