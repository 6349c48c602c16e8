"""``snakewarden serve``: a package index that scans every upload before serving it.

Public entry points:

- ``IndexConfig``, ``build_services(config, ...)``, ``create_app(services)``: run an index.
- ``read_events(db, after=ID)`` / ``iter_events``: the security event log as ``Event`` values.
- ports in ``snakewarden.index.interfaces`` (``Scanner``, ``NameChecker``, ``UploadGate``,
  ``ProjectSource``, ``Clock``) and ``snakewarden.adapters.storage.FileStore``.
"""

from snakewarden.index.app import build_services, create_app
from snakewarden.index.config import IndexConfig
from snakewarden.index.events import iter_events, read_events

__all__ = ["IndexConfig", "build_services", "create_app", "iter_events", "read_events"]
