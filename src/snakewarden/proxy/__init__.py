"""A caching proxy of an upstream index (PyPI by default) that scans every file before serving it.

Public API:

- ``create_proxy_app(config, service=None)``: the Starlette app (``/simple/``, ``/files/...``)
  over a ``build_service(config, ...)`` service, whose every port (upstream client, file store,
  verdict store, decision log, scanner, clock, optional checks) can be injected and defaults to
  its real implementation.
- ``ProxyConfig``: upstream URL, data folder, policy, page TTL.
- ``ProxyService`` / ``ProxyViews`` / ``build_service``: the use cases and their HTTP adapter,
  for mounting in the index (``snakewarden serve --upstream``).
- ``Policy``, ``parse_policy(text)``, ``load_policy(path)``: the policy model and its TOML form.
"""

from snakewarden.proxy.app import ProxyViews, build_service, create_proxy_app
from snakewarden.proxy.policy import Policy, load_policy, parse_policy
from snakewarden.proxy.service import ProxyConfig, ProxyService

__all__ = [
    "Policy",
    "ProxyConfig",
    "ProxyService",
    "ProxyViews",
    "build_service",
    "create_proxy_app",
    "load_policy",
    "parse_policy",
]
