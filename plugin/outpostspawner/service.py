"""The Kubernetes Service of one server.

On Kubernetes the hub pod's ``-L`` forward listens on ``spawner.port``; :class:`ServerService`
creates a Service of that port pointing at the hub pod (so the proxy can reach the server by a DNS
name) and deletes it on stop, through the configured hooks or the default REST client. Its record
lives in ``spawner.tunnels`` with the forward's.
"""
from __future__ import annotations

import os

from .kube import KubeClient, service_manifest
from .models import resolve


class ServerService:
    RECORD, CUSTOM = "svc", "svc_custom"

    def __init__(self, spawner):
        self.spawner = spawner

    def kube_client(self) -> KubeClient:
        sp = self.spawner
        return KubeClient.from_config(sp.kube_api_url, sp.kube_token_file, sp.kube_ca_file)

    async def selector(self, kube: KubeClient) -> dict:
        """The pods the Service points at: configured, or the hub Service's own selector."""
        sp = self.spawner
        if sp.svc_selector is not None:
            return dict(await resolve(sp.svc_selector, sp) or {})
        if sp.tunnel_service_url:
            # The forwards listen in the tunnel service's pod, so that is where the Service must point.
            return dict(sp.tunnel_service_selector)
        ns = os.environ.get("POD_NAMESPACE") or sp.namespace
        hub = await kube.get_service(ns, sp.hub_service_name)
        if not hub or not hub.get("spec", {}).get("selector"):
            raise RuntimeError(f"cannot read the selector of Service {ns}/{sp.hub_service_name}")
        return dict(hub["spec"]["selector"])

    async def create(self, info: dict) -> tuple[str, int]:
        """Make the Service; returns the (host, port) the hub connects to."""
        sp = self.spawner
        if sp.ssh_custom_svc:
            ret = await resolve(sp.ssh_custom_svc, sp, info)
            sp.tunnels[self.CUSTOM] = True
            return ret
        kube = self.kube_client()
        labels = await resolve(sp.extra_labels, sp, await sp._user_options()) or {}
        manifest = service_manifest(sp.svc_name, sp.port, await self.selector(kube), labels)
        sp.tunnels[self.RECORD] = {"namespace": sp.namespace, "name": sp.svc_name}
        await kube.ensure_service(sp.namespace, manifest)
        return sp.svc_dns_name, sp.port

    async def remove(self, info: dict) -> None:
        sp = self.spawner
        if sp.tunnels.pop(self.CUSTOM, None) and sp.ssh_custom_svc_remove:
            await resolve(sp.ssh_custom_svc_remove, sp, info)
        record = sp.tunnels.get(self.RECORD)
        if record:
            await self.kube_client().delete_service(record["namespace"], record["name"])
            sp.tunnels.pop(self.RECORD, None)
