"""OSV advisories: the model and PEP 440 matching (pure), the store, importers and the OSV API.

Public entry points (stable; the audit, the index and the proxy use them):

- ``parse_advisory(obj, raw=None) -> Advisory``: one decoded OSV record, validated and bounded.
- ``affects(advisory, name, version) -> bool``, ``smallest_fix(advisories, name, version)``,
  ``merge_aliases(advisories)``: OSV range semantics with PEP 440 ordering.
- ``snakewarden.advisories.store``: ``SqliteAdvisoryStore`` (``$SNAKEWARDEN_HOME/advisories.db``)
  and ``InMemoryAdvisoryStore``, both ``AdvisoryStore``s (``interfaces``).
- ``snakewarden.advisories.service.create_osv_app(store)``: an ASGI app answering OSV's
  ``/v1/query``, ``/v1/querybatch`` and ``/v1/vulns/{id}``, mountable under any prefix.

The store and the service are not imported here, so that pure users stay light.
"""

from snakewarden.advisories.matching import affects, merge_aliases, smallest_fix
from snakewarden.advisories.model import Advisory, AdvisoryId
from snakewarden.advisories.parse import parse_advisory

__all__ = ["Advisory", "AdvisoryId", "affects", "merge_aliases", "parse_advisory", "smallest_fix"]
