"""The spawn form built from the declared systems and what their Outposts offer.

Pure functions: :func:`render_form` turns offers into HTML (every text escaped), and
:func:`parse_form` turns the posted fields into ``user_options`` (``system``, ``flavor`` and, for a
system whose Outpost has a Kubernetes profile list, ``profile`` and one key per profile option, as
KubeSpawner's form sends them). The form is a convenience; the Outpost checks flavor, profile and
choices again on start.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .systems import NAME_RE, System

FLAVOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
PROFILE_RE = FLAVOR_RE  # the Outpost's slug rule
OPTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")  # option and choice keys
RESERVED_OPTIONS = {"profile", "flavor", "start_id", "system", "name"}
UNLISTED_CHOICE = "unlisted_choice"
UNLISTED_SUFFIX = "--unlisted-choice"
MAX_UNLISTED = 1024


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
class ProfileOptionChoice:
    key: str
    display_name: str
    default: bool


@dataclass
class ProfileOption:
    key: str
    display_name: str
    choices: list[ProfileOptionChoice]
    unlisted: dict | None = None  # {"display_name", "validation_message"} when free text is allowed


@dataclass
class ProfileOffer:
    slug: str
    display_name: str
    description: str
    default: bool
    options: list[ProfileOption]


@dataclass
class SystemOffer:
    system: System
    flavors: list[FlavorChoice]
    unavailable_reason: str = ""  # the Outpost does not answer, or every flavor is full
    profiles: list[ProfileOffer] = field(default_factory=list)


def profiles_of(answer) -> list[ProfileOffer]:
    """The Outpost's ``GET /profiles`` answer as form entries; entries with unsafe names are left out."""
    items = answer.get("profile_list") if isinstance(answer, dict) else None
    profiles = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not PROFILE_RE.match(str(item.get("slug", ""))):
            continue
        options = []
        raw_options = item.get("profile_options")
        for key, option in (raw_options.items() if isinstance(raw_options, dict) else []):
            if not isinstance(option, dict) or not OPTION_RE.match(str(key)) or key in RESERVED_OPTIONS:
                continue
            raw_choices = option.get("choices")
            choices = [ProfileOptionChoice(k, str((c or {}).get("display_name") or k), bool((c or {}).get("default")))
                       for k, c in (raw_choices.items() if isinstance(raw_choices, dict) else [])
                       if OPTION_RE.match(str(k)) and k != UNLISTED_CHOICE and isinstance(c, dict)]
            unlisted = option.get("unlisted_choice")
            unlisted = ({"display_name": str(unlisted.get("display_name") or "Other"),
                         "validation_message": str(unlisted.get("validation_message") or "")}
                        if isinstance(unlisted, dict) and unlisted.get("enabled") else None)
            if choices or unlisted:
                options.append(ProfileOption(key, str(option.get("display_name") or key), choices, unlisted))
        profiles.append(ProfileOffer(item["slug"], str(item.get("display_name") or item["slug"]),
                                     str(item.get("description") or ""), bool(item.get("default")), options))
    return profiles


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
.outpost-form .outpost-profiles-title { font-weight: bold; margin: 6px 0 2px 0; }
.outpost-form ul.outpost-profiles { list-style: none; padding-left: 18px; margin: 4px 0; }
.outpost-form .outpost-profile-options { margin: 2px 0 6px 24px; }
.outpost-form .outpost-profile-option { display: inline-block; margin-right: 14px; }
.outpost-form .outpost-profile-option select, .outpost-form .outpost-profile-option input[type=text] { margin-left: 4px; }
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
        if offer.profiles:
            parts.extend(_render_profiles(s.name, offer.profiles, unavailable))
        parts.append("</fieldset>")
    parts.append("</div>")
    return "\n".join(parts)


def _render_profiles(system: str, profiles: list[ProfileOffer], unavailable: bool) -> list[str]:
    """The profile radio buttons of one system, each with a select per option (and a text field
    for an option that takes free text), named so :func:`parse_form` finds the chosen profile's."""
    e = html.escape
    off = " disabled" if unavailable else ""
    chosen = next((p for p in profiles if p.default), profiles[0])
    parts = ['<div class="outpost-profiles-title">Profile</div>', '<ul class="outpost-profiles">']
    for p in profiles:
        field_id = e(f"profile-{system}-{p.slug}")
        checked = " checked" if p is chosen and not unavailable else ""
        parts.append(
            f'<li class="outpost-profile" data-profile="{e(p.slug)}"><label for="{field_id}">'
            f'<input type="radio" id="{field_id}" name="profile.{e(system)}" value="{e(p.slug)}"{checked}{off}> '
            f"<b>{e(p.display_name)}</b></label>"
            + (f" &ndash; {e(p.description)}" if p.description else ""))
        if p.options:
            parts.append('<div class="outpost-profile-options">')
            for o in p.options:
                name = e(f"profile-option.{system}.{p.slug}.{o.key}")
                default = next((c for c in o.choices if c.default), o.choices[0] if o.choices else None)
                items = [f'<option value="{e(c.key)}"{" selected" if c is default else ""}>{e(c.display_name)}</option>'
                         for c in o.choices]
                if o.unlisted:
                    items.append(f'<option value="{UNLISTED_CHOICE}"{"" if default else " selected"}>'
                                 f'{e(o.unlisted["display_name"])}</option>')
                text = ""
                if o.unlisted:
                    hint = o.unlisted["validation_message"]
                    text = (f'<input type="text" name="{name}.unlisted" maxlength="{MAX_UNLISTED}"{off}'
                            f' aria-label="{e(o.unlisted["display_name"])}"'
                            + (f' placeholder="{e(hint)}" title="{e(hint)}"' if hint else "") + ">")
                parts.append(f'<label class="outpost-profile-option">{e(o.display_name)}'
                             f'<select name="{name}"{off}>{"".join(items)}</select>{text}</label>')
            parts.append("</div>")
        parts.append("</li>")
    parts.append("</ul>")
    return parts


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
    slug = one(f"profile.{name}")
    if slug:
        if not PROFILE_RE.match(slug):
            raise FormError("The profile name is not valid.")
        options["profile"] = slug
        options.update(_profile_choices(formdata, f"profile-option.{name}.{slug}.", one))
    return options


def _profile_choices(formdata: dict, prefix: str, one) -> dict:
    """The chosen profile's options as KubeSpawner sends them: ``{option: choice}``, and for free
    text ``{option: "unlisted_choice", "option--unlisted-choice": text}``."""
    chosen = {}
    for key in sorted(k for k in formdata if isinstance(k, str) and k.startswith(prefix) and not k.endswith(".unlisted")):
        option, value = key[len(prefix):], one(key)
        if not OPTION_RE.match(option) or option in RESERVED_OPTIONS:
            raise FormError("A profile option name is not valid.")
        if not value:
            continue
        if not OPTION_RE.match(value):
            raise FormError(f"The choice for {option!r} is not valid.")
        chosen[option] = value
        if value == UNLISTED_CHOICE:
            text = one(key + ".unlisted")
            if not text or len(text) > MAX_UNLISTED:
                raise FormError(f"Type a value for {option!r} (at most {MAX_UNLISTED} characters).")
            chosen[option + UNLISTED_SUFFIX] = text
    return chosen


async def system_offer(system: System, client, cache, auth_state, user_name: str, ttl: float,
                       timeout: float, own: dict | None = None) -> SystemOffer:
    """One system's entry: its Outpost's flavors from ``cache`` (``GET /flavors``; and ``POST
    /userflavors`` when the user's auth state has ``outpost_flavors``, as the original plugin),
    and its profile list (``GET /profiles``)."""
    from .flavors import with_hub_usage

    kwargs = {"request_timeout": timeout, "connect_timeout": timeout}
    try:
        hub = await cache.hub_flavors(system.name, lambda: client().flavors(kwargs), ttl)
    except Exception as e:  # an unreadable credentials file: say so, never its content
        return offer_of(system, None, str(e))
    if not hub.reachable:
        return offer_of(system, None, hub.error, own)
    # The profile list: a failure here only hides the profiles, the Outpost checks the choice anyway.
    profiles = profiles_of((await cache.profiles(system.name, lambda: client().profiles(kwargs), ttl)).flavors)
    if not (auth_state and auth_state.get("outpost_flavors")):
        offer = offer_of(system, hub.flavors, hub.error, own)
    else:
        authentication = {"name": auth_state.get("name", ""), "groups": auth_state.get("groups", [])}
        mine = await cache.user_flavors(system.name, user_name,
                                        lambda: client().user_flavors(authentication, kwargs), ttl)
        if not mine.reachable:
            return offer_of(system, None, mine.error)
        offer = offer_of(system, with_hub_usage(mine.flavors, hub.flavors), own=own)
    offer.profiles = profiles
    return offer
