"""Every configuration option of OutpostSpawner (traits only, no behaviour).

Names, types, defaults and meanings follow the original OutpostSpawner /
ForwardBaseSpawner options. Wherever an option takes a callable, the callable may
be a plain function or a coroutine function; the plugin always awaits the result.
"""
from __future__ import annotations

import copy
import os

from traitlets import (
    Any, Bool, Callable, Dict, Float, Integer, List, TraitError, Unicode, Union, default, validate,
)
from traitlets.config import Configurable

from .kube import SA_CA, SA_TOKEN, incluster_namespace
from .systems import SYSTEM_KEYS, derived_hook

HOOK = "(The callable may be a plain function or a coroutine function.)"

DEFAULT_CANCELLING_EVENT = {
    "failed": False,
    "ready": False,
    "progress": 99,
    "message": "",
    "html_message": "JupyterLab is cancelling the start.",
}


_SYSTEM_KEYS_HELP = "; ".join(f"``{k}``: {what}" for k, (_, what) in SYSTEM_KEYS.items())


def _from_systems(self, trait_name: str):
    """Dynamic default of a per-system trait: the hook derived from ``systems`` when systems are
    declared, else the trait's own default. A value set in the configuration is not a default, so
    it wins over the derived hook."""
    static = self.traits()[trait_name].default_value
    if self.systems:
        return derived_hook(trait_name, static)
    return copy.deepcopy(static)


class OutpostOptions(Configurable):
    """Traits of :class:`outpostspawner.OutpostSpawner`, grouped by topic."""

    # ---------------------------------------------------------------- declared systems
    systems = Dict(
        config=True,
        help=f"""Declared systems: system name -> settings of its Outpost and tunnel. The plugin
        derives ``request_url``, ``request_headers``, ``request_kwargs``, ``ssh_node``,
        ``ssh_port``, ``ssh_username``, ``ssh_key``, ``ssh_forward_options``,
        ``ssh_during_startup``, ``svc_create``, ``extra_labels``, ``custom_misc`` and
        ``start_async`` from the
        system in ``user_options["system"]`` (with one system it may be left out); any of these
        set explicitly wins. With systems, a spawn form lists them with their flavors, and the
        start request carries ``JUPYTERHUB_FLAVORS_UPDATE_URL`` for the Outpost's usage pushes.
        Errors are reported at hub start-up, naming the key. Keys: {_SYSTEM_KEYS_HELP}.
        Default: ``{{}}`` (no systems: configure the hooks yourself).""",
    )
    flavors_cache_seconds = Float(
        30.0, config=True,
        help="""How long the flavors an Outpost reported (``GET /flavors``, ``POST /userflavors``)
        are reused for spawn forms, and how long an unreachable Outpost is not asked again. A usage
        push from the Outpost (``POST /hub/api/outpostflavors/{system}``) refreshes them at once.
        Default: ``30`` seconds.""",
    )
    flavors_request_timeout = Float(
        5.0, config=True,
        help="""Timeout in seconds of one flavor request to an Outpost while a spawn form is built;
        an Outpost that does not answer in time is shown as unavailable (until the cache period
        ends). The time counts from when the hub's own event loop starts the request, so a hub busy
        with many requests at once needs more. Default: ``5``.""",
    )

    # ---------------------------------------------------------------- Outpost requests
    request_url = Union(
        [Unicode(), Callable()], default_value="", config=True,
        help=f"""Services URL of the Outpost, for example ``http://outpost:8080/services``.
        Default: ``""`` (must be set; a start fails with a clear error otherwise).
        A callable gets ``(spawner, user_options)`` and returns the URL; {HOOK}
        Trailing slashes are removed; poll and stop append ``/{{name}}/{{start_id}}``.""",
    )
    request_headers = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra HTTP headers for every Outpost request, merged over the JSON
        ``Content-Type``/``Accept`` headers. Typically ``Authorization: Basic ...`` and
        ``auth-state-*`` headers. Default: ``{{}}``. A callable gets
        ``(spawner, user_options)``; {HOOK} Header values are never logged.""",
    )
    request_kwargs = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra keyword arguments for ``tornado.httpclient.HTTPRequest`` on every
        Outpost request (``request_timeout``, ``connect_timeout``, ``ca_certs``,
        ``validate_cert`` ...). Default: ``{{}}`` (tornado's 20 s timeouts). A callable gets
        ``(spawner, user_options)``; {HOOK}""",
    )
    request_kwargs_start = Union(
        [Dict(), Callable()], default_value=None, allow_none=True, config=True,
        help=f"""Like ``request_kwargs`` but only for the start POST, which may take long
        with synchronous starts. Default: ``None`` (use ``request_kwargs``). A callable gets
        ``(spawner, user_options)``; {HOOK}""",
    )
    http_client_defaults = Dict(
        config=True,
        help="""``defaults=`` for the plugin's own tornado HTTP client (never JupyterHub's
        shared one). Default: ``{}``. Spawners with different values get different clients.""",
    )
    start_async = Union(
        [Bool(), Callable()], default_value=False, config=True,
        help=f"""Send ``execution-type: async`` with the start POST, so the Outpost answers
        202 at once and starts in the background (the address arrives later through the
        setuptunnel API). Default: ``False``. A callable gets ``(spawner)``; {HOOK}""",
    )
    stop_async = Union(
        [Bool(), Callable()], default_value=False, config=True,
        help=f"""Send ``execution-type: async`` with the stop DELETE. Default: ``False``.
        A callable gets ``(spawner)``; {HOOK}""",
    )
    public_api_url = Any(
        None, allow_none=True, config=True,
        help=f"""Hub API URL handed to remote servers as ``JUPYTERHUB_API_URL`` (and the base
        of the events/setuptunnel/activity URLs). Default: ``None``, which means
        ``hub_connect_url`` + the API path if set, else the hub's internal API URL.
        A string, or a callable ``(spawner)``; {HOOK}""",
    )
    additional_cafile = Any(
        None, allow_none=True, config=True,
        help=f"""Extra CA certificates (PEM text, or a path to a PEM file) appended to the
        server's ``cafile`` and to the ``hub-ca`` trust bundle when internal SSL is on.
        Needed when ``JUPYTERHUB_API_URL`` is an external HTTPS URL. Default: ``None``.
        A callable gets ``(spawner)``; {HOOK}""",
    )

    # ---------------------------------------------------------------- start request body
    custom_env = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra environment variables sent to the Outpost, merged after the
        ``JUPYTER_*``/``JUPYTERHUB_*`` filter. Default: ``{{}}``. A callable gets
        ``(spawner, user_options, jupyterhub_api_url)``; {HOOK}""",
    )
    custom_user_options = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra ``user_options`` merged into a copy of the user's options before they
        are sent. Default: ``{{}}``. A callable gets ``(spawner, user_options_copy)`` and
        returns the keys to merge; {HOOK}""",
    )
    custom_misc = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Overrides of the Outpost-side spawner configuration, sent as ``misc``.
        Default: ``{{}}``. A callable gets ``(spawner, user_options)``; {HOOK}
        A dict value is copied, never changed in place.""",
    )
    custom_misc_disable_default = Bool(
        False, config=True,
        help="""When False (default), ``misc`` also carries ``dns_name_template``,
        ``pod_name_template`` (= ``svc_name_template``), ``internal_ssl``, ``ip``
        (= ``remote_ip``), ``port``, ``services_enabled: true`` and ``extra_labels``.
        Set True to send only ``custom_misc``.""",
    )
    custom_port = Union(
        [Integer(), Callable()], default_value=0, config=True,
        help=f"""Port of the server (sent as ``misc.port``) and the hub-side port of the ssh
        forward. Resolved once per start. Default: ``0`` = a random free port. A callable
        gets ``(spawner, user_options)``; {HOOK}""",
    )
    custom_poll_interval = Union(
        [Integer(), Callable()], default_value=0, config=True,
        help=f"""Poll interval in milliseconds (values below 1000 are read as seconds).
        Default: ``0`` = JupyterHub's ``Spawner.poll_interval`` (30 s). A callable gets
        ``(spawner, user_options)``; {HOOK} Resolved at start and kept across hub restarts.""",
    )
    poll_jitter = Float(
        0.1, config=True,
        help="""Random jitter fraction added to each poll interval, so that many servers
        do not poll in step (for example after a hub restart). ``0`` = none, ``0.1`` =
        up to 10 %. Default: ``0.1``.""",
    )
    check_allowed = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, user_options)`` called before the start request; raise an
        exception to refuse the start (its text is shown to the user). Default: ``None``.
        {HOOK}""",
    )
    remote_ip = Unicode(
        "0.0.0.0", config=True,
        help="""Address the remote server should bind to; sent as ``misc.ip`` and used in
        ``JUPYTERHUB_SERVICE_URL``. Default: ``"0.0.0.0"`` (as the original plugin).""",
    )

    # ---------------------------------------------------------------- hooks
    failed_spawn_request_hook = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, exception)`` called when the start POST fails, before the
        plugin cleans up. Default: ``None``. {HOOK}""",
    )
    post_spawn_request_hook = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, response_json)`` called after a successful start POST.
        Default: ``None``. {HOOK}""",
    )
    pre_poll_hook = Any(
        False, config=True,
        help=f"""Hook ``(spawner)`` run before each poll. Its result decides the poll:
        ``True`` = ask the Outpost; ``False`` = assume running, no request; ``None`` =
        running, no request; an integer = that exit code, no request. Default: ``False``
        (not set: always ask). {HOOK}""",
    )
    pre_stop_hook = Any(
        False, config=True,
        help=f"""Hook ``(spawner)`` run first in ``stop()``; errors are logged and ignored.
        Default: ``False`` (not set). {HOOK}""",
    )
    update_start_response = Any(
        False, config=True,
        help=f"""Hook ``(spawner, service)`` that may rewrite the Outpost's ``service``
        answer (``host:port``) before tunnels are made. Default: ``False`` (not set). {HOOK}""",
    )
    update_expected_path = Any(
        False, config=True,
        help=f"""Hook ``(spawner, url)`` that may rewrite the URL returned to JupyterHub
        after tunnels are made. Default: ``False`` (not set). {HOOK}""",
    )
    apply_user_options = Union(
        [Callable(), Dict()], default_value=None, allow_none=True, config=True,
        help=f"""Apply ``user_options`` to spawner attributes before the start. A callable
        gets ``(spawner, user_options)``; {HOOK} A dict maps option names to trait names
        (values coerced with the trait's ``from_string``). Default: ``None`` (do nothing).
        Works on JupyterHub 3 and 4 too, where JupyterHub itself does not run it.""",
    )
    group_overrides = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Trait overrides by group membership: ``{{sort_key: {{"groups": [...],
        "spawner_override": {{trait: value_or_callable(spawner)}}}}}}``. Dict traits are
        merged recursively (``None`` deletes a key). A callable gets ``(spawner)``; {HOOK}
        Default: ``{{}}``. Works on JupyterHub versions that lack it.""",
    )

    # ---------------------------------------------------------------- poll / stop / logs
    request_404_poll_keep_running = Bool(
        False, config=True,
        help="""How a 404 from the Outpost on poll is read: True = still running, False
        (default) = stopped (status 0).""",
    )
    request_failed_poll_keep_running = Bool(
        True, config=True,
        help="""How any other failed poll request is read: True (default) = still running,
        False = stopped (status 0).""",
    )
    poll_bulk_max_age = Float(
        10.0, config=True,
        help="""Polls share one status read of all of this hub's servers on an Outpost
        (``GET /services?poll=true``, one request per Outpost and credentials instead of one per
        server): a poll takes the last read if it is at most this many seconds old, otherwise it
        starts one. Each server's answer in the read is what its own poll would answer at that moment
        (the Outpost runs the same poll for every server of the hub), so a server that ended is
        noticed up to this much later than with its own request. A server the read does not list is
        treated as a 404 of its own poll (``request_404_poll_keep_running``); a server whose backend
        could not be asked, a failed read and an Outpost without the feature (the original Outpost)
        fall back to the server's own poll. Polls with ``collect_logs_polling`` and hubs that send
        ``auth-state-*`` headers always poll one by one. The Outpost asks its backend about every
        server of the hub per read, so with the default about ``poll_interval / 10`` times as often as
        the single polls did. ``0`` = every poll is its own request. Default: ``10`` seconds.""",
    )
    collect_logs = Bool(
        False, config=True,
        help="""Ask the Outpost for the server's logs when stopping
        (``?collect_logs=true``) and keep them in ``spawner.logs``. Default: False.""",
    )
    collect_logs_polling = Bool(
        False, config=True,
        help="""Ask for the logs on every poll and keep them in ``spawner.logs``.
        Default: False.""",
    )

    # ---------------------------------------------------------------- events
    filter_events = Callable(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, event)`` applied to every non-failed event the Outpost
        posts; it returns the event to show, or an empty dict/None to reject it (400).
        Default: ``None`` (events unchanged). {HOOK}""",
    )
    show_first_default_event = Any(
        True, config=True,
        help=f"""Show JupyterHub's ``{{"progress": 0, "message": "Server requested"}}`` event
        first. Default: ``True``. A callable gets ``(spawner)``; {HOOK}""",
    )
    cancelling_event = Union(
        [Dict(), Callable()], default_value=dict(DEFAULT_CANCELLING_EVENT), config=True,
        help=f"""Event shown when a start is cancelled (a failed event from the Outpost, or a
        cancel from JupyterHub). Default: progress 99, ``"JupyterLab is cancelling the
        start."``. A callable gets ``(spawner)``; {HOOK} An empty dict shows nothing.""",
    )
    progress_ready_hook = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, ready_event)`` that may change the final "ready" event on
        the progress page. Default: ``None``. {HOOK} On JupyterHub before 5 the plugin runs
        it itself (it wraps JupyterHub's progress handler).""",
    )

    # ---------------------------------------------------------------- ssh forward (hub -> server)
    ssh_during_startup = Union(
        [Bool(), Callable()], default_value=False, config=True,
        help=f"""Make the ssh forward (and Service) inside ``start()`` from the Outpost's
        ``service`` answer. Default: ``False`` = connect to the answer directly, or wait for
        the setuptunnel API when the answer is empty. A callable gets ``(spawner)``; {HOOK}""",
    )
    ssh_recreate_at_start = Union(
        [Bool(), Callable()], default_value=False, config=True,
        help=f"""Rebuild the ssh forward of each running server on its first poll after a hub
        restart (servers without a forward are left alone). Default: ``False``. A callable
        gets ``(spawner)``; {HOOK}""",
    )
    ssh_node = Union(
        [Unicode(), Callable()], default_value=None, allow_none=True, config=True,
        help=f"""ssh host of the forward. Default: ``None`` (must come from here or from the
        setuptunnel API). A callable gets ``(spawner, port_forward_info)``; {HOOK} A plain
        value is overridden by ``port_forward_info["ssh_node"]``.""",
    )
    ssh_node_mapping = Callable(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, ssh_node)`` returning the host actually used (also in the
        ControlPath). Default: ``None`` (no mapping). {HOOK}""",
    )
    ssh_port = Union(
        [Integer(), Unicode(), Callable()], default_value=22, config=True,
        help=f"""ssh port of the forward. Default: ``22``. A callable gets
        ``(spawner, port_forward_info)``; {HOOK} A plain value is overridden by
        ``port_forward_info["ssh_port"]``.""",
    )
    ssh_username = Union(
        [Unicode(), Callable()], default_value="jhuboutpost", config=True,
        help=f"""ssh user of the forward. Default: ``"jhuboutpost"``. A callable gets
        ``(spawner, port_forward_info)``; {HOOK} A plain value is overridden by
        ``port_forward_info["ssh_username"]``.""",
    )
    ssh_key = Union(
        [Unicode(), Callable()], default_value="/home/jovyan/.ssh/id_rsa", allow_none=True,
        config=True,
        help=f"""Private key (IdentityFile) of the forward. Default:
        ``"/home/jovyan/.ssh/id_rsa"``. A callable gets ``(spawner, port_forward_info)``;
        {HOOK} A plain value is overridden by ``port_forward_info["ssh_key"]``.""",
    )
    ssh_forward_options = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra or overriding ssh ``-o`` options for the forward, merged over the
        defaults ``ServerAliveInterval=15, StrictHostKeyChecking=accept-new,
        ControlMaster=auto, ControlPersist=yes, Port, ControlPath=/tmp/control_<user>@<node>:<port>,
        BatchMode=yes, ConnectTimeout=10, IdentityFile``. Default: ``{{}}``. A callable gets
        ``(spawner, port_forward_info)``; {HOOK} Options that run commands (ProxyCommand,
        LocalCommand, ...) are refused.""",
    )
    ssh_local_bind_address = Unicode(
        "0.0.0.0", config=True,
        help="""Hub-side address the ``-L`` forward listens on. Default: ``"0.0.0.0"`` (so a
        Kubernetes Service can reach the hub pod). Use ``127.0.0.1`` without a Service.""",
    )
    ssh_command = Unicode(
        "ssh", config=True,
        help="""OpenSSH client binary. Default: ``"ssh"`` (from PATH).""",
    )
    tunnel_service_url = Unicode(
        "", config=True,
        help="""Base URL of an Outpost tunnel service (``outpost tunnels serve``), e.g.
        ``http://outpost-tunnels:8089``. When set, the service creates, checks and removes each
        server's forward instead of ssh in the hub process, so a hub restart leaves forwards and
        open connections alone. Default: ``""`` (ssh in the hub process).""",
    )
    tunnel_service_token_file = Unicode(
        "", config=True,
        help="""File holding the tunnel service's bearer token (read at each call, so it may be
        rotated). Required with ``tunnel_service_url``. Default: ``""``.""",
    )
    tunnel_service_selector = Dict(
        {"app.kubernetes.io/component": "outpost-tunnels"}, config=True,
        help="""Pod selector of each server's Kubernetes Service when ``tunnel_service_url`` is set
        (and ``svc_selector`` is not): the Service then targets the tunnel service's pod, not the
        hub's. Default: the labels of the chart's tunnel Deployment.""",
    )
    tunnel_service_connect_host = Unicode(
        "", config=True,
        help="""Host the hub connects to for a server's forward when the tunnel service is used and
        no Kubernetes Service is made. Default: the host of ``tunnel_service_url``.""",
    )
    ssh_custom_forward = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info)`` that replaces the default ssh forward
        (for example to ask an external tunnel service). It may return ``(host, port)``.
        Default: ``None``. {HOOK}""",
    )
    ssh_custom_forward_remove = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info)`` that replaces removing the forward on
        stop. Default: ``None``. {HOOK}""",
    )
    ssh_forward_heal = Bool(
        True, config=True,
        help="""Heal the default ssh forward of each running server: every poll, and every
        ``ssh_forward_check_interval`` seconds between polls, the plugin checks that the
        ControlMaster answers ``ssh -O check`` and that the hub-side port accepts a connection,
        and re-creates a broken forward with backoff. One log line when it breaks, one when it is
        back; counted in ``outpostspawner_forward_events_total{event=...}`` on the hub's
        ``/metrics``. Forwards made by ``ssh_custom_forward`` are left to the hook's owner.
        Default: ``True``.""",
    )
    ssh_forward_check_interval = Float(
        10.0, config=True,
        help="""Seconds between the checks of all healed forwards between polls (one asyncio task
        per hub process). ``0`` = check only on poll. Default: ``10.0``.""",
    )
    ssh_forward_heal_backoff_initial = Float(
        1.0, config=True,
        help="""Seconds before the second attempt to re-create a broken forward; the wait doubles
        after each failed attempt. Default: ``1.0``.""",
    )
    ssh_forward_heal_backoff_max = Float(
        60.0, config=True,
        help="""Longest wait between two attempts to re-create a broken forward.
        Default: ``60.0``.""",
    )
    ssh_forward_heal_give_up = Float(
        300.0, config=True,
        help="""Seconds a forward may stay broken before ``poll()`` reports the server as stopped
        (exit status 1, logged with the reason): the hub then stops it on the Outpost instead of
        showing a server nobody can reach. ``0`` = never give up. Default: ``300.0``.""",
    )

    @validate("tunnel_service_url")
    def _validate_tunnel_service_url(self, proposal):
        from .tunnel_service import check_tunnel_service_url
        try:
            return check_tunnel_service_url(proposal["value"])
        except ValueError as e:
            raise TraitError(str(e)) from None

    @validate("tunnel_service_selector")
    def _validate_tunnel_service_selector(self, proposal):
        value = proposal["value"]
        if not value or not all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()):
            raise TraitError(f"tunnel_service_selector: must be a non-empty dict of label: value strings, not {value!r}")
        return value

    @validate("poll_bulk_max_age", "ssh_forward_check_interval", "ssh_forward_heal_backoff_initial",
              "ssh_forward_heal_backoff_max", "ssh_forward_heal_give_up")
    def _validate_seconds(self, proposal):
        value = proposal["value"]
        name = proposal["trait"].name
        if not value >= 0 or value == float("inf"):
            raise TraitError(f"{name}: must be a finite number of seconds >= 0, not {value!r}")
        if name in ("ssh_forward_heal_backoff_initial", "ssh_forward_heal_backoff_max") and value <= 0:
            raise TraitError(f"{name}: must be > 0 seconds, not {value!r}")
        return value

    setuptunnel_allowed_keys = List(
        Unicode(), config=True,
        help="""Key paths that callers of the setuptunnel API may name in ``ssh_key``.
        Default: ``[]`` (the API may not choose a key; the configured one is used).""",
    )

    # ---------------------------------------------------------------- remote (reverse) forward
    ssh_create_remote_forward = Any(
        False, config=True,
        help=f"""Ask a prepared remote system (forced command ``start``/``status``/``stop``,
        exit code 217 = done) to open a reverse forward to the hub before starting.
        Default: ``False``. A callable gets ``(spawner, port_forward_info["remote"])``;
        {HOOK} The reverse forward is removed on stop.""",
    )
    ssh_custom_forward_remote = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info["remote"])`` replacing the default remote
        forward. Default: ``None``. {HOOK}""",
    )
    ssh_custom_forward_remote_remove = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info["remote"])`` replacing the default removal
        of the remote forward on stop. Default: ``None``. {HOOK}""",
    )
    ssh_remote_node = Union(
        [Unicode(), Callable()], default_value=None, allow_none=True, config=True,
        help=f"""ssh host for the remote forward. Default: ``None``. A callable gets
        ``(spawner, port_forward_info["remote"])``; {HOOK} A plain value is overridden by
        ``port_forward_info["remote"]["ssh_node"]``.""",
    )
    ssh_remote_port = Union(
        [Integer(), Unicode(), Callable()], default_value=22, config=True,
        help=f"""ssh port for the remote forward. Default: ``22``. Callable
        ``(spawner, port_forward_info["remote"])``; {HOOK}""",
    )
    ssh_remote_username = Union(
        [Unicode(), Callable()], default_value="jhuboutpost", config=True,
        help=f"""ssh user for the remote forward. Default: ``"jhuboutpost"``. Callable
        ``(spawner, port_forward_info["remote"])``; {HOOK}""",
    )
    ssh_remote_key = Union(
        [Unicode(), Callable()], default_value="/home/jovyan/.ssh/id_rsa_remote",
        allow_none=True, config=True,
        help=f"""Private key for the remote forward. Default:
        ``"/home/jovyan/.ssh/id_rsa_remote"``. Callable
        ``(spawner, port_forward_info["remote"])``; {HOOK}""",
    )
    ssh_forward_remote_options = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra ssh ``-o`` options for the remote forward, merged over
        ``StrictHostKeyChecking=accept-new, Port, BatchMode=yes, ConnectTimeout=10,
        IdentityFile``. Default: ``{{}}``. Callable ``(spawner, port_forward_info["remote"])``;
        {HOOK}""",
    )

    # ---------------------------------------------------------------- Kubernetes Service
    svc_create = Union(
        [Bool(), Callable()], default_value=True, allow_none=True, config=True,
        help=f"""Create a Kubernetes Service per forwarded server that points at the hub pod
        (and delete it on stop). Default: ``True``. A callable gets ``(spawner)``; {HOOK}
        Set False when the hub does not run on Kubernetes.""",
    )
    ssh_custom_svc = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info)`` replacing the default Service creation;
        returns ``(host, port)`` the hub should connect to. Default: ``None``. {HOOK}""",
    )
    ssh_custom_svc_remove = Any(
        None, allow_none=True, config=True,
        help=f"""Hook ``(spawner, port_forward_info)`` replacing the default Service deletion.
        Default: ``None``. {HOOK}""",
    )
    svc_name_template = Unicode(
        "jupyter-{username}--{servername}", config=True,
        help="""Name of the Service (also sent as ``misc.pod_name_template``). Fields:
        ``{username}``, ``{servername}`` (both escaped to ``[a-z0-9-]``),
        ``{unescaped_username}``, ``{unescaped_servername}``, ``{legacy_escape_username}``,
        ``{userid}``, ``{hubnamespace}``. Trailing ``-`` are stripped; names longer than 63
        characters are shortened with a hash. Default: ``"jupyter-{username}--{servername}"``.""",
    )
    dns_name_template = Unicode(
        "{name}.{namespace}.svc.cluster.local", config=True,
        help="""Template of the server's DNS name (``{name}``, ``{namespace}``), sent as
        ``misc.dns_name_template``. Default: ``"{name}.{namespace}.svc.cluster.local"``.""",
    )
    namespace = Unicode(
        config=True,
        help="""Kubernetes namespace for the Services. Default: the pod's service-account
        namespace, or ``"default"`` outside a cluster.""",
    )
    extra_labels = Union(
        [Dict(), Callable()], default_value={}, config=True,
        help=f"""Extra labels for the Service, also sent as ``misc.extra_labels``.
        Default: ``{{}}``. A callable gets ``(spawner, user_options)``; {HOOK}""",
    )
    svc_selector = Union(
        [Dict(), Callable()], default_value=None, allow_none=True, config=True,
        help=f"""Pod selector of the Service (it must pick the hub pod). Default: ``None`` =
        copy the selector of the hub's own Service (name from ``hub_service_name``, namespace
        from ``$POD_NAMESPACE`` or ``namespace``). A callable gets ``(spawner)``; {HOOK}""",
    )
    hub_service_name = Unicode(
        config=True,
        help="""Name of the hub's Kubernetes Service, read for its selector. Default: the
        content of ``/usr/local/etc/jupyterhub/config/hub`` (zero-to-jupyterhub), else
        ``"hub"``.""",
    )
    kube_api_url = Unicode(
        "", config=True,
        help="""Kubernetes API URL. Default: ``""`` = in-cluster
        (``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``).""",
    )
    kube_token_file = Unicode(
        SA_TOKEN, config=True,
        help=f"""Bearer token file for the Kubernetes API (re-read on every call).
        Default: ``"{SA_TOKEN}"``.""",
    )
    kube_ca_file = Unicode(
        SA_CA, config=True,
        help=f"""CA bundle for the Kubernetes API. Default: ``"{SA_CA}"``.""",
    )

    # ---------------------------------------------------------------- certificates
    ssl_alt_names = Union(
        [List(Unicode()), Callable()], config=True,
        help=f"""Subject alternative names for the server's internal-SSL certificate
        (``DNS:...``/``IP:...``). Default: JupyterHub's ``trusted_alt_names``. A callable gets
        ``(spawner)``; {HOOK} The Service DNS names are added automatically.""",
    )

    @default("ssl_alt_names")
    def _default_ssl_alt_names(self):
        return list(getattr(self, "trusted_alt_names", []) or [])

    @default("namespace")
    def _default_namespace(self):
        return incluster_namespace()

    @default("hub_service_name")
    def _default_hub_service_name(self):
        path = "/usr/local/etc/jupyterhub/config/hub"
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip() or "hub"
        return "hub"

    # ---------------------------------------------------------------- defaults derived from systems
    @default("request_url")
    def _default_request_url(self):
        return _from_systems(self, "request_url")

    @default("request_headers")
    def _default_request_headers(self):
        return _from_systems(self, "request_headers")

    @default("request_kwargs")
    def _default_request_kwargs(self):
        return _from_systems(self, "request_kwargs")

    @default("ssh_node")
    def _default_ssh_node(self):
        return _from_systems(self, "ssh_node")

    @default("ssh_port")
    def _default_ssh_port(self):
        return _from_systems(self, "ssh_port")

    @default("ssh_username")
    def _default_ssh_username(self):
        return _from_systems(self, "ssh_username")

    @default("ssh_key")
    def _default_ssh_key(self):
        return _from_systems(self, "ssh_key")

    @default("ssh_forward_options")
    def _default_ssh_forward_options(self):
        return _from_systems(self, "ssh_forward_options")

    @default("ssh_during_startup")
    def _default_ssh_during_startup(self):
        return _from_systems(self, "ssh_during_startup")

    @default("svc_create")
    def _default_svc_create(self):
        return _from_systems(self, "svc_create")

    @default("extra_labels")
    def _default_extra_labels(self):
        return _from_systems(self, "extra_labels")

    @default("custom_misc")
    def _default_custom_misc(self):
        return _from_systems(self, "custom_misc")

    @default("start_async")
    def _default_start_async(self):
        return _from_systems(self, "start_async")
