"""The proxy's policy: what it refuses to hand over, read from a TOML file (pure).

A file is served only when every check passes, in this order (the first block wins):

1. project checks: internal names never come from upstream (dependency confusion), a bare name
   on the deny list, a name confusable with a popular project (unless in ``[names] allow``);
2. release checks: deny-listed versions, the cool-down, known vulnerabilities at or above a
   severity, missing attestations for projects that must have them;
3. file checks, after the scan: ``malicious`` is always blocked, ``suspicious`` and unscannable
   files are blocked or served with a warning.

An ``[allow] releases`` entry (it must name versions) or ``[allow] sha256`` entry waives the
release and file checks for what it matches, and the decision records what was waived; the deny
list and internal names are never waived.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from snakewarden.core.models import Severity, Verdict
from snakewarden.proxy.errors import PolicyError
from snakewarden.proxy.model import ALLOW, Action, Decision, FileVerdict, UpstreamFile

MiB = 1024 * 1024
_MAX_POLICY_BYTES = 4 * MiB


@dataclass(frozen=True, slots=True)
class ProjectRoutes:
    """PEP 708 metadata for one project: the deliberate exceptions to 'local names stay local'."""

    tracks: tuple[str, ...] = ()
    alternate_locations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    suspicious: Action = Action.BLOCK
    unscannable: Action = Action.BLOCK
    confusable_names: Action | None = Action.BLOCK  # None: the check is off
    allow_names: frozenset[NormalizedName] = frozenset()
    cooldown: timedelta = timedelta(0)
    block_vulnerable: Severity | None = None
    block_vulnerable_any: bool = False  # "any": also advisories without a severity
    require_attestations: frozenset[NormalizedName] = frozenset()
    #: the repository each project's attestations must come from (implies required)
    attestation_publishers: Mapping[NormalizedName, str] = field(default_factory=dict)
    allow_releases: tuple[Requirement, ...] = ()
    allow_sha256: frozenset[str] = frozenset()
    deny: tuple[Requirement, ...] = ()
    internal: tuple[str, ...] = ()  # canonical names or fnmatch patterns ("acme-*")
    projects: Mapping[NormalizedName, ProjectRoutes] = field(default_factory=dict)
    max_file_size: int = 256 * MiB

    def is_internal(self, name: str) -> bool:
        canon = canonicalize_name(name)
        return any(fnmatch.fnmatchcase(canon, pattern) for pattern in self.internal)

    def routes(self, name: str) -> ProjectRoutes:
        return self.projects.get(canonicalize_name(name), ProjectRoutes())


DEFAULT_POLICY = Policy()


# ---------------------------------------------------------------------------------------------
# Parsing


def _table(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"policy: [{key}] must be a table")
    return value


def _check_keys(table: Mapping[str, Any], where: str, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise PolicyError(
            f"policy: unknown key(s) in {where}: {', '.join(unknown)}",
            hint=f"known keys in {where}: {', '.join(sorted(known))}",
        )


def _strings(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"policy: {where}.{key} must be a list of strings")
    if len(value) > 100_000:
        raise PolicyError(f"policy: {where}.{key} has more than 100000 entries")
    return value


def _action(table: Mapping[str, Any], key: str, where: str, choices: Sequence[str]) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if value not in choices:
        raise PolicyError(
            f"policy: {where}.{key} must be one of {', '.join(choices)}; got {value!r}"
        )
    return str(value)


def _requirements(values: list[str], where: str, *, need_version: bool) -> tuple[Requirement, ...]:
    out = []
    for text in values:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise PolicyError(f"policy: {where}: {text!r} is not a requirement: {exc}") from exc
        if req.url or req.marker or req.extras:
            raise PolicyError(f"policy: {where}: {text!r}: use a name and version specifiers only")
        if need_version and not req.specifier:
            raise PolicyError(
                f"policy: {where}: {text!r} names no version",
                hint="allow entries must pin versions (name==1.2.3): a bare name would wave "
                "through every future release, including a malicious one",
            )
        out.append(req)
    return tuple(out)


def _number(table: Mapping[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PolicyError(f"policy: {where}.{key} must be a non-negative number")
    return float(value)


def parse_policy(text: str) -> Policy:
    """Parse the TOML text of a policy. Raises ``PolicyError``."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy: not valid TOML: {exc}") from exc
    _check_keys(
        doc, "the policy", {"scan", "names", "releases", "allow", "deny", "internal", "projects"}
    )
    scan = _table(doc, "scan")
    _check_keys(scan, "[scan]", {"malicious", "suspicious", "unscannable", "max-file-size-mb"})
    _action(scan, "malicious", "scan", ("block",))
    suspicious = _action(scan, "suspicious", "scan", ("block", "warn")) or "block"
    unscannable = _action(scan, "unscannable", "scan", ("block", "warn")) or "block"
    max_mb = _number(scan, "max-file-size-mb", "scan", 256)
    if not 0 < max_mb <= 16384:
        raise PolicyError("policy: scan.max-file-size-mb must be between 1 and 16384")

    names = _table(doc, "names")
    _check_keys(names, "[names]", {"confusable", "allow"})
    confusable = _action(names, "confusable", "names", ("block", "warn", "off")) or "block"

    releases = _table(doc, "releases")
    _check_keys(
        releases,
        "[releases]",
        {"cooldown-hours", "block-vulnerable", "require-attestations", "attestation-publishers"},
    )
    publishers: dict[NormalizedName, str] = {}
    for raw_name, repo in _table(releases, "attestation-publishers").items():
        if not isinstance(repo, str) or not repo.startswith("https://"):
            raise PolicyError(
                f"policy: releases.attestation-publishers.{raw_name} must be a repository URL",
                hint='e.g. sigstore = "https://github.com/sigstore/sigstore-python"',
            )
        publishers[canonicalize_name(raw_name)] = repo
    cooldown = _number(releases, "cooldown-hours", "releases", 0)
    if cooldown > 24 * 365:
        raise PolicyError("policy: releases.cooldown-hours is more than a year")
    vuln = _action(
        releases, "block-vulnerable", "releases", ("off", "any", *[s.value for s in Severity])
    )

    allow = _table(doc, "allow")
    _check_keys(allow, "[allow]", {"releases", "sha256"})
    sha = [s.lower() for s in _strings(allow, "sha256", "allow")]
    bad = [s for s in sha if len(s) != 64 or any(c not in "0123456789abcdef" for c in s)]
    if bad:
        raise PolicyError(f"policy: allow.sha256: {bad[0]!r} is not a sha256 hex digest")
    deny = _table(doc, "deny")
    _check_keys(deny, "[deny]", {"releases"})
    internal = _table(doc, "internal")
    _check_keys(internal, "[internal]", {"names"})

    projects: dict[NormalizedName, ProjectRoutes] = {}
    for raw_name, table in _table(doc, "projects").items():
        if not isinstance(table, Mapping):
            raise PolicyError(f"policy: [projects.{raw_name}] must be a table")
        where = f"[projects.{raw_name}]"
        _check_keys(table, where, {"tracks", "alternate-locations"})
        routes = ProjectRoutes(
            tracks=tuple(_strings(table, "tracks", where)),
            alternate_locations=tuple(_strings(table, "alternate-locations", where)),
        )
        for url in (*routes.tracks, *routes.alternate_locations):
            if not url.startswith(("https://", "http://")):
                raise PolicyError(f"policy: {where}: {url!r} is not an http(s) URL")
        projects[canonicalize_name(raw_name)] = routes

    return Policy(
        suspicious=Action(suspicious),
        unscannable=Action(unscannable),
        confusable_names=None if confusable == "off" else Action(confusable),
        allow_names=frozenset(canonicalize_name(n) for n in _strings(names, "allow", "names")),
        cooldown=timedelta(hours=cooldown),
        block_vulnerable=None if vuln in (None, "off", "any") else Severity(vuln),
        block_vulnerable_any=vuln == "any",
        require_attestations=frozenset(
            canonicalize_name(n) for n in _strings(releases, "require-attestations", "releases")
        )
        | frozenset(publishers),
        attestation_publishers=publishers,
        allow_releases=_requirements(
            _strings(allow, "releases", "allow"), "allow.releases", need_version=True
        ),
        allow_sha256=frozenset(sha),
        deny=_requirements(_strings(deny, "releases", "deny"), "deny.releases", need_version=False),
        internal=tuple(
            p if any(c in p for c in "*?[") else canonicalize_name(p)
            for p in (
                n.strip().lower().replace("_", "-").replace(".", "-")
                for n in _strings(internal, "names", "internal")
            )
        ),
        projects=projects,
        max_file_size=int(max_mb * MiB),
    )


def load_policy(path: Path) -> Policy:
    """Read and parse a policy file. Raises ``PolicyError``."""
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(f"cannot read the policy file {path}: {exc.strerror or exc}") from exc
    if len(data) > _MAX_POLICY_BYTES:
        raise PolicyError(f"the policy file {path} is larger than 4 MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"the policy file {path} is not UTF-8: {exc}") from exc
    return parse_policy(text)


# ---------------------------------------------------------------------------------------------
# Evaluation


def _matches(req: Requirement, name: str, version: str | None) -> bool:
    if canonicalize_name(req.name) != canonicalize_name(name):
        return False
    if not req.specifier:
        return True
    if version is None:
        return False
    try:
        return req.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def _comparable(version: str | None) -> bool:
    if version is None:
        return False
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _denied(policy: Policy, name: str, version: str | None) -> Requirement | None:
    canon = canonicalize_name(name)
    for req in policy.deny:
        if _matches(req, name, version):
            return req
        if req.specifier and canonicalize_name(req.name) == canon and not _comparable(version):
            return req  # fail closed: a file whose version we cannot compare is denied
    return None


def project_decision(policy: Policy, name: str, *, confusable_with: str | None) -> Decision:
    """Checks on a project name alone (before anything is fetched)."""
    canon = canonicalize_name(name)
    if policy.is_internal(canon):
        return Decision(
            Action.BLOCK,
            f"{canon} is an internal name: it is never fetched from upstream "
            "(dependency confusion)",
            "internal",
        )
    for req in policy.deny:
        if not req.specifier and _matches(req, canon, None):
            return Decision(Action.BLOCK, f"{canon} is on the deny list", "deny")
    if confusable_with and policy.confusable_names is not None and canon not in policy.allow_names:
        return Decision(
            policy.confusable_names,
            f"the name {canon} is confusable with the popular project {confusable_with} "
            "(possible typosquat)",
            "confusable-name",
        )
    return ALLOW


def _allow_waiver(policy: Policy, name: str, version: str | None, sha256: str | None) -> str | None:
    if sha256 and sha256 in policy.allow_sha256:
        return f"allow.sha256 {sha256[:12]}…"
    for req in policy.allow_releases:
        if _matches(req, name, version):
            return f"allow.releases {req}"
    return None


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What is known about a file before it is downloaded."""

    name: str
    version: str | None
    file: UpstreamFile
    vulnerabilities: tuple[tuple[str, Severity | None], ...] = ()  # (advisory id, severity)
    attestation_ok: bool | None = None  # None: not checked; False: missing or failed


def release_decision(policy: Policy, facts: ReleaseFacts, now: datetime) -> Decision:
    """Checks on a release and its upstream listing (before the file is downloaded)."""
    name, version, f = facts.name, facts.version, facts.file
    denied = _denied(policy, name, version)
    if denied is not None:
        return Decision(
            Action.BLOCK, f"{name} {version or ''} is on the deny list ({denied})", "deny"
        )
    blocks: list[Decision] = []
    if policy.cooldown and f.upload_time is not None and now - f.upload_time < policy.cooldown:
        age_h = max((now - f.upload_time).total_seconds() / 3600, 0.0)
        hours = policy.cooldown.total_seconds() / 3600
        blocks.append(
            Decision(
                Action.BLOCK,
                f"released {age_h:.1f} h ago, younger than the {hours:g} h cool-down",
                "cooldown",
            )
        )
    if policy.block_vulnerable is not None or policy.block_vulnerable_any:
        hits = [
            (vid, sev)
            for vid, sev in facts.vulnerabilities
            if (sev is None and policy.block_vulnerable_any)
            or (
                sev is not None
                and (
                    policy.block_vulnerable_any
                    or (
                        policy.block_vulnerable is not None
                        and sev.rank >= policy.block_vulnerable.rank
                    )
                )
            )
        ]
        if hits:
            listed = ", ".join(f"{vid} ({sev or 'unrated'})" for vid, sev in hits[:5])
            blocks.append(Decision(Action.BLOCK, f"known vulnerabilities: {listed}", "vulnerable"))
    if canonicalize_name(name) in policy.require_attestations and facts.attestation_ok is not True:
        why = (
            "has no attestation"
            if f.provenance is None
            else "has an attestation that did not verify"
        )
        blocks.append(
            Decision(Action.BLOCK, f"{f.filename} {why} (required by policy)", "attestation")
        )
    if not blocks:
        return ALLOW
    waiver = _allow_waiver(policy, name, version, f.sha256)
    if waiver:
        return Decision(
            Action.ALLOW, f"waived by {waiver}", "allow", tuple(d.reason for d in blocks)
        )
    return blocks[0]


def verdict_decision(
    policy: Policy, name: str, version: str | None, verdict: FileVerdict
) -> Decision:
    """Checks on the scan verdict of a downloaded file."""
    why = "; ".join(verdict.reasons[:3])
    if verdict.verdict is Verdict.MALICIOUS:
        decision = Decision(
            Action.BLOCK, f"malicious (score {verdict.score:.2f}): {why}".rstrip(": "), "verdict"
        )
    elif verdict.verdict is Verdict.SUSPICIOUS:
        decision = Decision(
            policy.suspicious,
            f"suspicious (score {verdict.score:.2f}): {why}".rstrip(": "),
            "verdict",
        )
    elif verdict.verdict is Verdict.ERROR:
        decision = Decision(
            policy.unscannable, f"could not be scanned: {why}".rstrip(": "), "unscannable"
        )
    else:
        return ALLOW
    if decision.blocked:
        waiver = _allow_waiver(policy, name, version, verdict.sha256)
        if waiver:
            return Decision(Action.ALLOW, f"waived by {waiver}", "allow", (decision.reason,))
    return decision
