"""Values of the provenance area: publishers, signer identities, verification outcomes.

Everything here is pure: frozen, slotted dataclasses and their (de)serialisation to the PEP 740
JSON shapes. The cryptography lives in :mod:`snakewarden.provenance.verify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from snakewarden.errors import ProvenanceError

#: The PEP 740 / Integrity API media type of a provenance object.
PROVENANCE_MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json"

#: In-toto predicate types PyPI knows (PEP 740 "attestation types").
PUBLISH_V1 = "https://docs.pypi.org/attestations/publish/v1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
KNOWN_PREDICATE_TYPES = frozenset({PUBLISH_V1, SLSA_PROVENANCE_V1})

#: OIDC issuers of the Trusted Publisher platforms (Fulcio's "Issuer (V2)" claim).
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
GOOGLE_ISSUER = "https://accounts.google.com"
ACTIVESTATE_ISSUER = "https://platform.activestate.com/api/v1/oauth/oidc"


class ProvenanceFormatError(ProvenanceError):
    """A provenance object, an attestation or a publisher could not be parsed or is over a bound."""

    hint = "expected a PEP 740 provenance object or attestation (JSON)"


class AttestationRejected(ProvenanceError):
    """The index refuses an upload's attestations; ``reason`` is what the uploader is told."""

    def __init__(self, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"attestations rejected: {reason}", hint=hint)
        self.reason = reason


class ProvenanceUnavailable(ProvenanceError):
    """The index has no provenance for this file (404), or does not implement the Integrity API."""

    def __init__(self, message: str, *, url: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url


class SigstoreInstance(StrEnum):
    """Which Sigstore trust root signed an attestation."""

    PRODUCTION = "production"
    STAGING = "staging"


class PublisherKind(StrEnum):
    GITHUB = "GitHub"
    GITLAB = "GitLab"
    GOOGLE = "Google"
    ACTIVESTATE = "ActiveState"
    CIRCLECI = "CircleCI"


@dataclass(frozen=True, slots=True)
class Publisher:
    """A Trusted Publisher identity, as in a PEP 740 attestation bundle.

    ``repository`` is ``owner/name`` (GitHub), ``group/.../project`` (GitLab), ``org/project``
    (ActiveState) or a project id (CircleCI); ``workflow`` is the workflow file name (GitHub) or the
    CI file path (GitLab); ``email`` is the service account (Google).
    """

    kind: PublisherKind
    repository: str = ""
    workflow: str = ""
    environment: str = ""
    email: str = ""

    @property
    def repository_url(self) -> str | None:
        """The source repository's URL, for the code-hosting kinds."""
        if self.kind is PublisherKind.GITHUB and self.repository:
            return f"https://github.com/{self.repository}"
        if self.kind is PublisherKind.GITLAB and self.repository:
            return f"https://gitlab.com/{self.repository}"
        return None

    def describe(self) -> str:
        """A one-line human description: ``GitHub owner/repo (workflow release.yml)``."""
        if self.kind is PublisherKind.GOOGLE:
            return f"Google service account {self.email or '?'}"
        text = f"{self.kind.value} {self.repository or '?'}"
        extra = []
        if self.workflow:
            extra.append(f"workflow {self.workflow}")
        if self.environment:
            extra.append(f"environment {self.environment}")
        return f"{text} ({', '.join(extra)})" if extra else text

    def same_source(self, other: Publisher) -> bool:
        """Same platform and same repository/account (case-insensitive), workflow aside."""
        return (
            self.kind is other.kind
            and self.repository.lower() == other.repository.lower()
            and self.email.lower() == other.email.lower()
        )

    def to_json(self) -> dict[str, Any]:
        """The PEP 740 publisher object."""
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is PublisherKind.GOOGLE:
            out["email"] = self.email
        elif self.kind is PublisherKind.GITLAB:
            out["repository"] = self.repository
            out["workflow_filepath"] = self.workflow
            out["environment"] = self.environment or None
        elif self.kind is PublisherKind.CIRCLECI:
            out["project_id"] = self.repository
            out["pipeline_definition_id"] = self.workflow
        elif self.kind is PublisherKind.ACTIVESTATE:
            out["organization"], _, out["project"] = self.repository.partition("/")
        else:
            out["repository"] = self.repository
            out["workflow"] = self.workflow
            out["environment"] = self.environment or None
        return out


@dataclass(frozen=True, slots=True)
class DistributionFile:
    """A distribution as verification sees it: its file name and its sha256 (hex)."""

    filename: str
    sha256: str


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One file of a project as a PEP 691 JSON simple page lists it."""

    filename: str
    url: str
    sha256: str = ""
    yanked: bool = False
    provenance_url: str = ""


@dataclass(frozen=True, slots=True)
class SignerIdentity:
    """What the verified Fulcio certificate says about who signed (empty when absent)."""

    issuer: str = ""
    subject: str = ""  # the certificate's SAN: a workflow URI, or an e-mail address
    source_repository: str = ""  # e.g. https://github.com/owner/repo
    build_config: str = ""  # e.g. https://github.com/owner/repo/.github/workflows/x.yml@refs/...
    source_ref: str = ""
    source_digest: str = ""
    run_invocation: str = ""

    def describe(self) -> str:
        return self.build_config or self.source_repository or self.subject or self.issuer or "?"

    def to_json(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "source_repository": self.source_repository,
            "build_config": self.build_config,
            "source_ref": self.source_ref,
            "source_digest": self.source_digest,
            "run_invocation": self.run_invocation,
        }


@dataclass(frozen=True, slots=True)
class VerifiedAttestation:
    """One attestation that passed signature, digest and identity checks."""

    predicate_type: str
    identity: SignerIdentity
    instance: SigstoreInstance = SigstoreInstance.PRODUCTION


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The outcome of verifying one distribution file against its provenance.

    ``verified`` is true only when every attestation passed and every requested identity check
    (``--repository``, metadata URLs) agreed. ``problems`` says why not, one line each.
    ``identity_checked`` is false when nothing said who the signer should have been (a bare
    attestation with no ``--repository``): the signature is valid but only ``publisher`` tells who.
    """

    file: DistributionFile
    verified: bool
    publisher: Publisher | None = None
    attestations: tuple[VerifiedAttestation, ...] = ()
    problems: tuple[str, ...] = ()
    identity_checked: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file.filename,
            "sha256": self.file.sha256,
            "verified": self.verified,
            "publisher": self.publisher.to_json() if self.publisher else None,
            "identity_checked": self.identity_checked,
            "attestations": [
                {
                    "predicate_type": a.predicate_type,
                    "instance": a.instance.value,
                    "identity": a.identity.to_json(),
                }
                for a in self.attestations
            ],
            "problems": list(self.problems),
            "notes": list(self.notes),
        }
