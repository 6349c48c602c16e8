"""Errors of the index service. Each carries the HTTP status the web layer answers with; the
message is what the client (twine, pip, uv, a browser) shows."""

from __future__ import annotations

from snakewarden.errors import IndexServiceError


class IndexRequestError(IndexServiceError):
    """A request the index refuses; ``status`` is the HTTP status code."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        if status is not None:
            self.status = status


class BadRequest(IndexRequestError):
    status = 400


class Unauthenticated(IndexRequestError):
    status = 401


class Forbidden(IndexRequestError):
    status = 403


class NotFound(IndexRequestError):
    status = 404


class Conflict(IndexRequestError):
    status = 409


class TooManyRequests(IndexRequestError):
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
