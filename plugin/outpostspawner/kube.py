"""A small async REST client for Kubernetes Services (``/api/v1/namespaces/{ns}/services``).

It speaks the real API paths and JSON with tornado's AsyncHTTPClient, reads the
in-cluster service-account token and CA, and never blocks the event loop.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

log = logging.getLogger("outpostspawner.kube")

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
SA_TOKEN = f"{SA_DIR}/token"
SA_CA = f"{SA_DIR}/ca.crt"
SA_NAMESPACE = f"{SA_DIR}/namespace"


class KubeError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(f"Kubernetes API {code}: {message}")
        self.code = code


def incluster_namespace(default: str = "default") -> str:
    try:
        with open(SA_NAMESPACE) as f:
            return f.read().strip() or default
    except OSError:
        return default


def service_manifest(name: str, port: int, selector: dict, labels: dict | None = None,
                     annotations: dict | None = None, owner_references: list | None = None) -> dict:
    """The Service that points at the hub pod, where ssh listens on ``port``."""
    meta: dict[str, Any] = {
        "name": name,
        "labels": {**selector, "component": "singleuser-server", **(labels or {})},
    }
    if annotations:
        meta["annotations"] = dict(annotations)
    if owner_references:
        meta["ownerReferences"] = list(owner_references)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {
            "type": "ClusterIP",
            "selector": dict(selector),
            "ports": [{"name": "http", "port": int(port), "targetPort": int(port), "protocol": "TCP"}],
        },
    }


class KubeClient:
    def __init__(self, api_url: str, token_file: str | None = SA_TOKEN, ca_file: str | None = SA_CA,
                 http_client: AsyncHTTPClient | None = None, request_timeout: float = 10):
        self.api_url = api_url.rstrip("/")
        self.token_file = token_file
        self.ca_file = ca_file
        self.http = http_client or AsyncHTTPClient(force_instance=True)
        self.request_timeout = request_timeout

    @classmethod
    def from_config(cls, api_url: str = "", token_file: str = SA_TOKEN, ca_file: str = SA_CA,
                    **kwargs: Any) -> "KubeClient":
        """``api_url`` or, in a pod, ``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``."""
        if not api_url:
            host = os.environ.get("KUBERNETES_SERVICE_HOST")
            port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
            if not host:
                raise KubeError(0, "not running in a cluster and no kube_api_url configured")
            if ":" in host:
                host = f"[{host}]"
            api_url = f"https://{host}:{port}"
        return cls(api_url, token_file or None, ca_file or None, **kwargs)

    def _headers(self) -> dict:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token_file:
            try:
                with open(self.token_file) as f:  # re-read: projected tokens rotate
                    token = f.read().strip()
                if token:
                    headers["Authorization"] = f"Bearer {token}"
            except OSError:
                log.warning("cannot read Kubernetes token file %s", self.token_file)
        return headers

    async def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {}
        if self.api_url.startswith("https") and self.ca_file and os.path.exists(self.ca_file):
            kwargs["ca_certs"] = self.ca_file
        req = HTTPRequest(
            self.api_url + path, method=method, headers=self._headers(),
            body=None if body is None else json.dumps(body), allow_nonstandard_methods=True,
            request_timeout=self.request_timeout, connect_timeout=self.request_timeout, **kwargs,
        )
        resp = await self.http.fetch(req, raise_error=False)
        if resp.code == 599:
            raise KubeError(0, str(resp.error))
        try:
            data = json.loads(resp.body or b"{}")
        except ValueError:
            data = {}
        return resp.code, data

    @staticmethod
    def _path(namespace: str, name: str | None = None) -> str:
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/services"
        return path if name is None else f"{path}/{quote(name, safe='')}"

    async def get_service(self, namespace: str, name: str) -> dict | None:
        code, data = await self._request("GET", self._path(namespace, name))
        if code == 404:
            return None
        if code >= 400:
            raise KubeError(code, data.get("message", "") if isinstance(data, dict) else "")
        return data

    async def create_service(self, namespace: str, manifest: dict) -> dict:
        code, data = await self._request("POST", self._path(namespace), manifest)
        if code >= 400:
            raise KubeError(code, data.get("message", "") if isinstance(data, dict) else "")
        return data

    async def delete_service(self, namespace: str, name: str) -> bool:
        """Delete; returns False when it did not exist."""
        code, data = await self._request("DELETE", self._path(namespace, name))
        if code == 404:
            return False
        if code >= 400:
            raise KubeError(code, data.get("message", "") if isinstance(data, dict) else "")
        return True

    async def ensure_service(self, namespace: str, manifest: dict, wait: float = 15) -> dict:
        """Create the Service; on 409 delete the old one, wait until it is gone, create again."""
        try:
            return await self.create_service(namespace, manifest)
        except KubeError as e:
            if e.code != 409:
                raise
        name = manifest["metadata"]["name"]
        log.info("Service %s/%s exists already; replacing it", namespace, name)
        await self.delete_service(namespace, name)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while await self.get_service(namespace, name) is not None:
            if loop.time() > deadline:
                raise KubeError(409, f"old Service {name} was not deleted within {wait}s")
            await asyncio.sleep(0.2)
        return await self.create_service(namespace, manifest)
