"""Parsing PEP 740 documents at the edge: bounded, typed, with clear errors.

Accepts a provenance object (``{"version": 1, "attestation_bundles": [...]}``), a bare attestation
object, or the upload form's ``attestations`` field (a JSON array of attestation objects). Returns
typed values or raises :class:`ProvenanceFormatError` / :class:`AttestationRejected`. No I/O.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import Any

import pydantic
from pypi_attestations import Attestation

from snakewarden.provenance.model import (
    KNOWN_PREDICATE_TYPES,
    AttestationRejected,
    ProvenanceFormatError,
    Publisher,
    PublisherKind,
)

KiB = 1024


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Bounds on hostile provenance input."""

    max_document_bytes: int = 1024 * KiB  # a provenance object or an upload field
    max_attestation_bytes: int = 128 * KiB  # one attestation object, serialised
    max_bundles: int = 8
    max_attestations: int = 8  # per bundle, and per upload
    max_field_chars: int = 512  # publisher fields
    max_depth: int = 16  # JSON nesting


@dataclass(frozen=True, slots=True)
class AttestationDoc:
    """A parsed (not yet verified) attestation, with the claims of its unverified statement.

    ``subject_name``/``subject_sha256`` come from the statement before any signature check: they
    only serve clear error messages; verification binds them cryptographically.
    """

    attestation: Attestation
    predicate_type: str
    subject_name: str
    subject_sha256: str

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.attestation.model_dump(mode="json")
        return data


@dataclass(frozen=True, slots=True)
class BundleDoc:
    publisher: Publisher
    attestations: tuple[AttestationDoc, ...]


@dataclass(frozen=True, slots=True)
class ProvenanceDoc:
    bundles: tuple[BundleDoc, ...]

    @property
    def attestation_count(self) -> int:
        return sum(len(b.attestations) for b in self.bundles)


def _depth(value: object, limit: int) -> int:
    """Nesting depth of a parsed JSON value, stopping once over ``limit``."""
    stack: list[tuple[object, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def load_json(data: bytes | str, what: str, limits: ParseLimits) -> Any:
    """Decode bounded JSON; every failure is a :class:`ProvenanceFormatError`."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > limits.max_document_bytes:
        raise ProvenanceFormatError(
            f"{what} is {size} bytes, over the limit of {limits.max_document_bytes}"
        )
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ProvenanceFormatError(f"{what} is not valid JSON: {exc}") from exc
    if _depth(value, limits.max_depth) > limits.max_depth:
        raise ProvenanceFormatError(f"{what} is nested deeper than {limits.max_depth} levels")
    return value


def _text(obj: dict[str, Any], key: str, limits: ParseLimits, *, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ProvenanceFormatError(f"publisher field {key!r} must be a non-empty string")
    if len(value) > limits.max_field_chars or any(ord(c) < 0x20 for c in value):
        raise ProvenanceFormatError(f"publisher field {key!r} is too long or has control chars")
    return value


def parse_publisher(obj: object, limits: ParseLimits | None = None) -> Publisher:
    """A PEP 740 publisher object (GitHub, GitLab, Google, ActiveState, CircleCI)."""
    lim = limits or ParseLimits()
    if not isinstance(obj, dict):
        raise ProvenanceFormatError("publisher must be a JSON object")
    kind_raw = obj.get("kind")
    try:
        kind = PublisherKind(str(kind_raw))
    except ValueError:
        raise ProvenanceFormatError(f"unknown publisher kind {kind_raw!r}") from None
    if kind is PublisherKind.GITHUB:
        return Publisher(
            kind,
            repository=_text(obj, "repository", lim),
            workflow=_text(obj, "workflow", lim),
            environment=_text(obj, "environment", lim, required=False),
        )
    if kind is PublisherKind.GITLAB:
        return Publisher(
            kind,
            repository=_text(obj, "repository", lim),
            workflow=_text(obj, "workflow_filepath", lim),
            environment=_text(obj, "environment", lim, required=False),
        )
    if kind is PublisherKind.GOOGLE:
        return Publisher(kind, email=_text(obj, "email", lim))
    if kind is PublisherKind.CIRCLECI:
        return Publisher(
            kind,
            repository=_text(obj, "project_id", lim),
            workflow=_text(obj, "pipeline_definition_id", lim),
        )
    organization = _text(obj, "organization", lim)
    project = _text(obj, "project", lim, required=False) or _text(
        obj, "activestate_project_name", lim, required=False
    )
    return Publisher(kind, repository=f"{organization}/{project}" if project else organization)


def _statement_claims(att: Attestation) -> tuple[str, str, str]:
    """(predicate type, subject name, subject sha256) of the unverified statement."""
    try:
        statement = json.loads(att.envelope.statement)
    except (ValueError, RecursionError) as exc:
        raise ProvenanceFormatError(f"attestation statement is not JSON: {exc}") from exc
    if not isinstance(statement, dict):
        raise ProvenanceFormatError("attestation statement is not a JSON object")
    predicate_type = statement.get("predicateType")
    subjects = statement.get("subject")
    if not isinstance(predicate_type, str):
        raise ProvenanceFormatError("attestation statement has no predicateType")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise ProvenanceFormatError("attestation statement must have exactly one subject")
    name = subjects[0].get("name")
    digest = subjects[0].get("digest")
    sha256 = digest.get("sha256") if isinstance(digest, dict) else None
    if not isinstance(name, str) or not isinstance(sha256, str):
        raise ProvenanceFormatError("attestation subject lacks a name or a sha256 digest")
    return predicate_type, name, sha256


def parse_attestation_obj(obj: object, limits: ParseLimits | None = None) -> AttestationDoc:
    """One PEP 740 attestation object (already decoded from JSON)."""
    lim = limits or ParseLimits()
    if not isinstance(obj, dict):
        raise ProvenanceFormatError("an attestation must be a JSON object")
    size = len(json.dumps(obj))
    if size > lim.max_attestation_bytes:
        raise ProvenanceFormatError(
            f"attestation is {size} bytes, over the limit of {lim.max_attestation_bytes}"
        )
    try:
        att = Attestation.model_validate(obj)
    except (pydantic.ValidationError, ValueError, binascii.Error) as exc:
        first = str(exc).splitlines()
        detail = " ".join(first[:3]) if first else type(exc).__name__
        raise ProvenanceFormatError(f"malformed attestation: {detail}") from exc
    predicate_type, name, sha256 = _statement_claims(att)
    return AttestationDoc(att, predicate_type, name, sha256)


def parse_attestation(data: bytes | str, limits: ParseLimits | None = None) -> AttestationDoc:
    """A bare attestation document (``*.publish.attestation``)."""
    lim = limits or ParseLimits()
    return parse_attestation_obj(load_json(data, "attestation", lim), lim)


def parse_provenance_obj(obj: object, limits: ParseLimits | None = None) -> ProvenanceDoc:
    lim = limits or ParseLimits()
    if not isinstance(obj, dict):
        raise ProvenanceFormatError("provenance must be a JSON object")
    if obj.get("version") != 1:
        raise ProvenanceFormatError(f"unsupported provenance version {obj.get('version')!r}")
    raw_bundles = obj.get("attestation_bundles")
    if not isinstance(raw_bundles, list) or not raw_bundles:
        raise ProvenanceFormatError("provenance has no attestation_bundles")
    if len(raw_bundles) > lim.max_bundles:
        raise ProvenanceFormatError(f"provenance has more than {lim.max_bundles} bundles")
    bundles = []
    for raw in raw_bundles:
        if not isinstance(raw, dict):
            raise ProvenanceFormatError("an attestation bundle must be a JSON object")
        publisher = parse_publisher(raw.get("publisher"), lim)
        raw_atts = raw.get("attestations")
        if not isinstance(raw_atts, list) or not raw_atts:
            raise ProvenanceFormatError("an attestation bundle has no attestations")
        if len(raw_atts) > lim.max_attestations:
            raise ProvenanceFormatError(
                f"an attestation bundle has more than {lim.max_attestations} attestations"
            )
        docs = tuple(parse_attestation_obj(a, lim) for a in raw_atts)
        bundles.append(BundleDoc(publisher, docs))
    return ProvenanceDoc(tuple(bundles))


def parse_provenance(data: bytes | str, limits: ParseLimits | None = None) -> ProvenanceDoc:
    """A provenance object, as served by the Integrity API or saved beside a file."""
    lim = limits or ParseLimits()
    return parse_provenance_obj(load_json(data, "provenance", lim), lim)


def parse_document(
    data: bytes | str, limits: ParseLimits | None = None
) -> ProvenanceDoc | AttestationDoc:
    """Either a provenance object or a bare attestation, told apart by their keys."""
    lim = limits or ParseLimits()
    obj = load_json(data, "provenance file", lim)
    if isinstance(obj, dict) and "attestation_bundles" in obj:
        return parse_provenance_obj(obj, lim)
    if isinstance(obj, dict) and "envelope" in obj:
        return parse_attestation_obj(obj, lim)
    raise ProvenanceFormatError(
        "neither a provenance object (attestation_bundles) nor an attestation (envelope)"
    )


def parse_upload_attestations(
    field_value: str | bytes, limits: ParseLimits | None = None
) -> tuple[AttestationDoc, ...]:
    """The upload form's ``attestations`` field: a JSON array of attestation objects.

    Raises :class:`AttestationRejected` with a reason the uploader is shown. Each predicate type
    may appear once (as on PyPI), and must be one PyPI knows.
    """
    lim = limits or ParseLimits()
    try:
        value = load_json(field_value, "the attestations field", lim)
        if not isinstance(value, list):
            raise ProvenanceFormatError("the attestations field must be a JSON array")
        if not value:
            raise ProvenanceFormatError("the attestations field is an empty array")
        if len(value) > lim.max_attestations:
            raise ProvenanceFormatError(f"more than {lim.max_attestations} attestations")
        docs = tuple(parse_attestation_obj(v, lim) for v in value)
    except ProvenanceFormatError as exc:
        raise AttestationRejected(exc.message) from exc
    seen: set[str] = set()
    for doc in docs:
        if doc.predicate_type not in KNOWN_PREDICATE_TYPES:
            raise AttestationRejected(f"unknown attestation type {doc.predicate_type!r}")
        if doc.predicate_type in seen:
            raise AttestationRejected(f"more than one attestation of type {doc.predicate_type}")
        seen.add(doc.predicate_type)
    return docs


def certificate_der(doc: AttestationDoc) -> bytes:
    """The DER signing certificate of an attestation (already base64-decoded by the model)."""
    cert: bytes = doc.attestation.verification_material.certificate
    return bytes(cert)
