"""The error tree of snakewarden.

Every error a user can meet derives from ``SnakewardenError`` and explains itself through
``diagnostics()``: what failed, and a hint at what to do.

    SnakewardenError
    ├── UsageError                 bad arguments or configuration (exit 2)
    ├── ScanError                  a target could not be read or fetched
    │   ├── ArtifactError          an archive is unreadable, hostile or over a bound
    │   └── FetchError             a package could not be fetched from an index
    ├── OsvError                   advisory data could not be parsed, stored or queried
    ├── AuditError                 a dependency input could not be read
    ├── ProvenanceError            an attestation could not be verified
    ├── IndexServiceError          the package index refused or failed an operation
    └── AnomalyError               events could not be imported or scored
"""

from __future__ import annotations


class SnakewardenError(Exception):
    """Root of all snakewarden errors."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """User-facing text: the message, then the hint when there is one."""
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message


class UsageError(SnakewardenError):
    """The command line or a configuration file is wrong."""


class ScanError(SnakewardenError):
    """A scan target could not be read or fetched."""


class ArtifactError(ScanError):
    """An archive is unreadable, hostile, or exceeds a bound."""


class FetchError(ScanError):
    """A package could not be fetched from an index, or its digest did not match."""


class OsvError(SnakewardenError):
    """Advisory data could not be parsed, stored or queried."""


class AuditError(SnakewardenError):
    """A dependency input (requirements, lock file, environment) could not be read."""


class ProvenanceError(SnakewardenError):
    """An attestation or provenance file could not be verified."""


class IndexServiceError(SnakewardenError):
    """The package index refused or failed an operation."""


class AnomalyError(SnakewardenError):
    """Events could not be imported or scored."""
