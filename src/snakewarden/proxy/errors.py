"""Errors of the proxy (all under ``IndexServiceError``; a bad policy file is a ``UsageError``).

IndexServiceError
└── ProxyError                 the proxy could not serve a request
    └── UpstreamError          upstream is down, slow, too big or answered an error (502/503/504)
        ├── UpstreamNotFound   upstream has no such project or file (404)
        └── IntegrityError     the bytes upstream sent do not match the hash it published
UsageError
└── PolicyError                the policy file is malformed
"""

from __future__ import annotations

from snakewarden.errors import IndexServiceError, UsageError


class ProxyError(IndexServiceError):
    """The proxy could not serve a request."""


class UpstreamError(ProxyError):
    """Upstream could not be used; ``status`` is the HTTP status the proxy answers with."""

    hint = "the upstream index may be down or slow: try again later, or check --upstream"

    def __init__(self, message: str, *, status: int = 502, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class UpstreamNotFound(UpstreamError):
    """Upstream has no such project or file."""

    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, status=404, hint=hint)


class IntegrityError(UpstreamError):
    """The bytes upstream sent do not match the digest on its project page."""

    hint = "the file was not served: upstream or the network path to it may be tampered with"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, status=502, hint=hint)


class PolicyError(UsageError):
    """The policy file is malformed."""

    hint = "see the 'Protecting pip and uv users' section of README.md for the policy format"
