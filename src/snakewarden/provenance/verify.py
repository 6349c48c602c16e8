"""Sigstore verification of PEP 740 attestations (adapter over sigstore + pypi-attestations).

Offline by default: the trust root is the one bundled with sigstore-python (or the last one a
``--online`` run refreshed into sigstore's TUF cache); nothing touches the network. ``online=True``
refreshes the trust root through TUF once per instance, and falls back to the offline root with a
note when the TUF repository cannot be reached.

Sigstore has two public instances. Production is always tried first. An attestation signed on
the staging instance (test material, weaker guarantees) is accepted only when ``allow_staging`` is
set; otherwise it fails with a message that says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import sigstore.errors
from cryptography import x509
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pypi_attestations import (
    AttestationError,
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
)
from sigstore.verify import Verifier, policy

from snakewarden.errors import ProvenanceError
from snakewarden.provenance.interfaces import AttestationInvalid
from snakewarden.provenance.model import (
    ACTIVESTATE_ISSUER,
    KNOWN_PREDICATE_TYPES,
    DistributionFile,
    Publisher,
    PublisherKind,
    SignerIdentity,
    SigstoreInstance,
    VerifiedAttestation,
)
from snakewarden.provenance.parse import AttestationDoc, certificate_der

_IN_TOTO = "application/vnd.in-toto+json"

_OID = {
    "issuer": "1.3.6.1.4.1.57264.1.8",
    "source_repository": "1.3.6.1.4.1.57264.1.12",
    "build_config": "1.3.6.1.4.1.57264.1.18",
    "source_ref": "1.3.6.1.4.1.57264.1.14",
    "source_digest": "1.3.6.1.4.1.57264.1.13",
    "run_invocation": "1.3.6.1.4.1.57264.1.21",
}


class _UnsafeAnyIdentityPolicy:
    """Accepts any signer. Used only when the caller checks the returned identity itself."""

    def verify(self, cert: x509.Certificate) -> None:
        return None


def _policy_for(expected: Publisher | None) -> Any:
    """A sigstore verification policy for a Trusted Publisher."""
    if expected is None:
        return _UnsafeAnyIdentityPolicy()
    kind = expected.kind
    if kind is PublisherKind.GITHUB:
        if not expected.workflow:
            return policy.AllOf(
                [
                    policy.OIDCIssuerV2("https://token.actions.githubusercontent.com"),
                    policy.OIDCSourceRepositoryURI(f"https://github.com/{expected.repository}"),
                ]
            )
        return GitHubPublisher(
            repository=expected.repository,
            workflow=expected.workflow,
            environment=expected.environment or None,
        )._as_policy()
    if kind is PublisherKind.GITLAB:
        if not expected.workflow:
            return policy.AllOf(
                [
                    policy.OIDCIssuerV2("https://gitlab.com"),
                    policy.OIDCSourceRepositoryURI(f"https://gitlab.com/{expected.repository}"),
                ]
            )
        return GitLabPublisher(
            repository=expected.repository,
            workflow_filepath=expected.workflow,
            environment=expected.environment or None,
        )._as_policy()
    if kind is PublisherKind.GOOGLE:
        return GooglePublisher(email=expected.email)._as_policy()
    if kind is PublisherKind.CIRCLECI:
        return CircleCIPublisher(
            project_id=expected.repository, pipeline_definition_id=expected.workflow
        )._as_policy()
    if kind is PublisherKind.ACTIVESTATE:
        # pypi-attestations has no ActiveState publisher: the issuer is all we can pin.
        return policy.OIDCIssuerV2(ACTIVESTATE_ISSUER)
    raise AttestationInvalid(f"publisher kind {kind.value} cannot be verified")  # pragma: no cover


def identity_of(cert_der: bytes) -> SignerIdentity:
    """The Fulcio claims of a (verified) signing certificate."""
    cert = x509.load_der_x509_certificate(cert_der)
    claims: dict[str, str] = {}
    wanted = {oid: key for key, oid in _OID.items()}
    for ext in cert.extensions:
        key = wanted.get(ext.oid.dotted_string)
        if key is None or not isinstance(ext.value, x509.UnrecognizedExtension):
            continue
        raw = ext.value.value
        # Claims .8 onwards are DER UTF8String (tag 0x0C, short or long length form).
        if len(raw) >= 2 and raw[0] == 0x0C:
            skip = 2 + (raw[1] & 0x7F if raw[1] & 0x80 else 0)
            claims[key] = raw[skip:].decode("utf-8", "replace")
    subject = ""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        uris = san.get_values_for_type(x509.UniformResourceIdentifier)
        emails = san.get_values_for_type(x509.RFC822Name)
        subject = (uris or emails or [""])[0]
    return SignerIdentity(subject=subject, **claims)


def _dist_key(filename: str) -> object:
    """A filename's parsed identity (so ``Foo-1.0`` and ``foo-1.0`` compare equal)."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidWheelFilename):
        pass
    return filename


def check_statement(payload: bytes, dist: DistributionFile) -> str:
    """Check a verified in-toto statement binds ``dist``; return its predicate type."""
    try:
        statement = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise AttestationInvalid(f"the signed statement is not JSON: {exc}") from exc
    if not isinstance(statement, dict):
        raise AttestationInvalid("the signed statement is not a JSON object")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise AttestationInvalid("the signed statement must have exactly one subject")
    name = subjects[0].get("name")
    digest = subjects[0].get("digest")
    sha256 = digest.get("sha256") if isinstance(digest, dict) else None
    if not isinstance(name, str) or _dist_key(name) != _dist_key(dist.filename):
        raise AttestationInvalid(
            f"the attestation is for {name!r}, not {dist.filename!r} (another file's provenance)"
        )
    if not isinstance(sha256, str) or sha256.lower() != dist.sha256.lower():
        raise AttestationInvalid(
            f"{dist.filename}: sha256 {dist.sha256} does not match the attested digest {sha256} "
            "(the file was modified after signing, or it is another build)"
        )
    predicate_type = statement.get("predicateType")
    if predicate_type not in KNOWN_PREDICATE_TYPES:
        raise AttestationInvalid(f"unknown attestation type {predicate_type!r}")
    return str(predicate_type)


@dataclass
class SigstoreAttestationVerifier:
    """:class:`~snakewarden.provenance.interfaces.AttestationVerifier` over sigstore-python."""

    online: bool = False
    allow_staging: bool = False
    notes: list[str] = field(default_factory=list)
    _verifiers: dict[SigstoreInstance, Verifier] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.online:
            # sigstore warns on every offline trust-root load: offline is our default, not news.
            logging.getLogger("sigstore._internal.tuf").setLevel(logging.ERROR)

    def _verifier(self, instance: SigstoreInstance) -> Verifier:
        cached = self._verifiers.get(instance)
        if cached is not None:
            return cached
        make = Verifier.production if instance is SigstoreInstance.PRODUCTION else Verifier.staging
        try:
            verifier = make(offline=not self.online)
        except sigstore.errors.Error as exc:
            if not self.online:
                raise ProvenanceError(
                    f"cannot load the bundled Sigstore {instance.value} trust root: {exc}",
                    hint="reinstall sigstore, or run with --online to fetch a fresh trust root",
                ) from exc
            self.notes.append(
                f"could not refresh the Sigstore {instance.value} trust root ({exc}); "
                "used the bundled one"
            )
            try:
                verifier = make(offline=True)
            except sigstore.errors.Error as exc2:
                raise ProvenanceError(f"no usable Sigstore trust root: {exc2}") from exc2
        self._verifiers[instance] = verifier
        return verifier

    def _verify_on(
        self, instance: SigstoreInstance, doc: AttestationDoc, dist: DistributionFile, pol: Any
    ) -> str:
        try:
            bundle = doc.attestation.to_bundle()
            payload_type, payload = self._verifier(instance).verify_dsse(bundle, pol)
        except sigstore.errors.VerificationError as exc:
            raise AttestationInvalid(f"signature verification failed: {exc}") from exc
        except (AttestationError, sigstore.errors.Error, ValueError, TypeError) as exc:
            raise AttestationInvalid(f"malformed attestation: {exc}") from exc
        if payload_type != _IN_TOTO:
            raise AttestationInvalid(f"expected an in-toto statement, got {payload_type!r}")
        return check_statement(payload, dist)

    def verify(
        self, doc: AttestationDoc, dist: DistributionFile, expected: Publisher | None
    ) -> VerifiedAttestation:
        pol = _policy_for(expected)
        try:
            predicate_type = self._verify_on(SigstoreInstance.PRODUCTION, doc, dist, pol)
            instance = SigstoreInstance.PRODUCTION
        except AttestationInvalid as production_failure:
            try:
                predicate_type = self._verify_on(SigstoreInstance.STAGING, doc, dist, pol)
            except AttestationInvalid:
                raise production_failure from None
            if not self.allow_staging:
                raise AttestationInvalid(
                    "signed on Sigstore's staging instance (a test instance), "
                    "not the production one",
                    hint="pass --staging to accept attestations signed on the staging instance",
                ) from None
            instance = SigstoreInstance.STAGING
        return VerifiedAttestation(predicate_type, identity_of(certificate_der(doc)), instance)


@dataclass
class InMemoryAttestationVerifier:
    """A fake verifier for tests: accepts attestations whose subject matches the file, and whose
    certificate identity (``identities[subject name]``) satisfies ``expected``'s repository."""

    identities: dict[str, SignerIdentity] = field(default_factory=dict)
    rejected: set[str] = field(default_factory=set)

    def verify(
        self, doc: AttestationDoc, dist: DistributionFile, expected: Publisher | None
    ) -> VerifiedAttestation:
        if doc.subject_name in self.rejected:
            raise AttestationInvalid("signature verification failed: rejected by the fake")
        statement = json.dumps(
            {
                "subject": [{"name": doc.subject_name, "digest": {"sha256": doc.subject_sha256}}],
                "predicateType": doc.predicate_type,
            }
        ).encode()
        predicate_type = check_statement(statement, dist)
        identity = self.identities.get(doc.subject_name, SignerIdentity())
        if (
            expected is not None
            and expected.repository_url
            and identity.source_repository.lower() != expected.repository_url.lower()
        ):
            raise AttestationInvalid(
                f"signature verification failed: signer {identity.describe()} is not "
                f"{expected.describe()}"
            )
        return VerifiedAttestation(predicate_type, identity)
