"""``snakewarden verify FILE``: check a distribution against its PEP 740 provenance.

Offline by default (bundled Sigstore trust root). Exit 0 verified, 1 not verified, 2 input error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from snakewarden.artifacts import Limits, read_artifact
from snakewarden.errors import ProvenanceError, SnakewardenError, UsageError
from snakewarden.provenance.check import verify_distribution
from snakewarden.provenance.identity import metadata_findings, parse_repository_url
from snakewarden.provenance.model import DistributionFile, VerificationReport
from snakewarden.provenance.parse import ParseLimits, parse_document
from snakewarden.provenance.scanning import metadata_urls
from snakewarden.provenance.verify import SigstoreAttestationVerifier

EXIT_VERIFIED, EXIT_NOT_VERIFIED = 0, 1
_SIDECARS = (".provenance", ".publish.attestation")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify a distribution's PEP 740 attestations (Sigstore, offline by default)",
        description=(
            "Verify a wheel or sdist against its PEP 740 provenance: the Sigstore signature, the "
            "binding to this file (name and sha256) and the Trusted Publisher that signed it. "
            "Uses the trust root bundled with sigstore-python (refreshed through TUF only with "
            "--online); nothing else goes online but --index-url. Without --provenance, "
            "FILE.provenance or "
            "FILE.publish.attestation beside FILE is used, or the provenance is fetched from "
            "--index-url."
        ),
        epilog="exit codes: 0 verified, 1 not verified, 2 usage or input error",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the .whl or sdist to verify")
    parser.add_argument(
        "--provenance",
        metavar="FILE",
        type=Path,
        help="a provenance object (Integrity API JSON) or a bare attestation",
    )
    parser.add_argument(
        "--repository",
        metavar="URL",
        help="the GitHub/GitLab repository that must have published FILE",
    )
    parser.add_argument(
        "--index-url",
        metavar="URL",
        help="fetch the provenance from this index (Integrity API, or PEP 691 provenance URL)",
    )
    parser.add_argument(
        "--online", action="store_true", help="refresh the Sigstore trust root (TUF) first"
    )
    parser.add_argument(
        "--staging",
        action="store_true",
        help="also accept attestations signed on Sigstore's staging instance (test material)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _read_bounded(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise ProvenanceError(f"{path} is larger than {limit} bytes: not a provenance file")
    return data


def _provenance_bytes(args: argparse.Namespace, dist: DistributionFile) -> tuple[bytes, str]:
    limit = ParseLimits().max_document_bytes
    if args.provenance is not None:
        return _read_bounded(args.provenance, limit), str(args.provenance)
    for suffix in _SIDECARS:
        candidate = args.file.with_name(args.file.name + suffix)
        if candidate.is_file():
            return _read_bounded(candidate, limit), str(candidate)
    if args.index_url:
        from snakewarden.provenance.fetch import HttpProvenanceClient, name_version_of

        name, version = name_version_of(dist.filename)
        with HttpProvenanceClient(args.index_url) as client:
            return client.fetch(name, version, dist.filename), f"{args.index_url} (Integrity API)"
    raise UsageError(
        f"no provenance for {args.file.name}",
        hint=(
            "pass --provenance FILE, put FILE.provenance beside it, or give --index-url to fetch "
            "it from an index"
        ),
    )


def _metadata_warnings(path: Path, report: VerificationReport) -> list[str]:
    """The publisher compared with the repository URLs of the file's own metadata."""
    if not report.verified or report.publisher is None:
        return []
    limits = Limits()
    try:
        data = _read_bounded(path, limits.max_archive_size)
        artifact = read_artifact(data, path.name, limits)
    except (SnakewardenError, OSError) as exc:
        return [f"the file's metadata could not be read to compare its URLs: {exc}"]
    findings = metadata_findings(report.publisher, metadata_urls(artifact.metadata))
    return [f.message for f in findings]


def _render_text(
    report: VerificationReport,
    source: str,
    verifier_notes: list[str],
    online: bool,
    warnings: list[str],
) -> str:
    lines: list[str] = []
    dist = report.file
    if report.verified:
        who = report.publisher.describe() if report.publisher else None
        if who is None and report.attestations:
            who = report.attestations[0].identity.describe()
        lines.append(f"verified: {dist.filename} (sha256 {dist.sha256})")
        lines.append(f"  publisher: {who or 'unknown'}")
    else:
        lines.append(f"NOT verified: {dist.filename} (sha256 {dist.sha256})")
        lines.extend(f"  problem: {p}" for p in report.problems)
    lines.extend(
        f"  attestation: {att.predicate_type} signed by {att.identity.describe()} "
        f"(Sigstore {att.instance.value})"
        for att in report.attestations
    )
    lines.extend(f"  warning: {w}" for w in warnings)
    lines.append(f"  provenance: {source}")
    trust = "refreshed online (TUF)" if online else "offline, bundled with sigstore-python"
    lines.append(f"  trust root: {trust}")
    if report.verified and not report.identity_checked:
        lines.append(
            "  note: a bare attestation names no publisher and no --repository was given: the "
            "signature is valid, but check that the signer above is who you expect"
        )
    lines.extend(f"  hint: {n}" for n in report.notes)
    lines.extend(f"  note: {n}" for n in verifier_notes)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError(f"{args.file} is not a file")
    if args.repository and parse_repository_url(args.repository) is None:
        raise UsageError(
            f"--repository {args.repository!r} is not a GitHub or GitLab repository URL",
            hint="e.g. --repository https://github.com/OWNER/NAME",
        )
    dist = DistributionFile(args.file.name, _sha256_file(args.file))
    raw, source = _provenance_bytes(args, dist)
    document = parse_document(raw)
    verifier = SigstoreAttestationVerifier(online=args.online, allow_staging=args.staging)
    report = verify_distribution(dist, document, verifier, repository=args.repository)
    warnings = _metadata_warnings(args.file, report)
    if args.format == "json":
        out = report.to_json()
        out["provenance_source"] = source
        out["trust_root"] = "online" if args.online and not verifier.notes else "offline"
        out["notes"] = [*out["notes"], *verifier.notes]
        out["warnings"] = warnings
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        sys.stdout.write(
            _render_text(
                report, source, verifier.notes, args.online and not verifier.notes, warnings
            )
            + "\n"
        )
    return EXIT_VERIFIED if report.verified else EXIT_NOT_VERIFIED
