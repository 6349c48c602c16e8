"""Publisher identities: repository URLs, certificate claims, and comparisons. Pure.

* :func:`parse_repository_url` normalises the many spellings of a GitHub/GitLab repository URL
  (``git+https://…/x.git``, ``/tree/main``, ``www.``) to ``(host, owner/name)``.
* :func:`publisher_from_identity` derives the Trusted Publisher from a verified certificate.
* :func:`repository_problem` says why a publisher is not the expected repository.
* :func:`metadata_findings` compares the publisher with the project URLs in the metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from snakewarden.core.models import Finding, Severity
from snakewarden.provenance.model import (
    ACTIVESTATE_ISSUER,
    GITHUB_ISSUER,
    GITLAB_ISSUER,
    GOOGLE_ISSUER,
    Publisher,
    PublisherKind,
    SignerIdentity,
)

_HOSTS = {"github.com": PublisherKind.GITHUB, "gitlab.com": PublisherKind.GITLAB}


def parse_repository_url(url: str) -> tuple[PublisherKind, str] | None:
    """``(GitHub|GitLab, "owner/name")`` for a github.com or gitlab.com repository URL, else None.

    Case is kept (compare with :func:`same_repository`); ``.git``, trailing slashes, ``git+``
    prefixes and sub-pages (``/tree/main``, ``/issues``, GitLab's ``/-/…``) are dropped.
    """
    text = url.strip()
    if not text or len(text) > 2048:
        return None
    if text.startswith("git+"):
        text = text[4:]
    if text.startswith("git@") and ":" in text:  # git@github.com:owner/name.git
        host, _, path = text[4:].partition(":")
        text = f"https://{host}/{path}"
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    kind = _HOSTS.get(host)
    if kind is None:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if kind is PublisherKind.GITHUB:
        segments = segments[:2]
    elif "-" in segments:
        segments = segments[: segments.index("-")]
    if len(segments) < 2:
        return None
    segments[-1] = segments[-1].removesuffix(".git")
    if not all(segments):
        return None
    return kind, "/".join(segments)


def same_repository(a: tuple[PublisherKind, str], b: tuple[PublisherKind, str]) -> bool:
    return a[0] is b[0] and a[1].lower() == b[1].lower()


def _after(text: str, prefix: str) -> str:
    return text[len(prefix) :] if text.startswith(prefix) else ""


def publisher_from_identity(identity: SignerIdentity) -> Publisher | None:
    """The Trusted Publisher a verified certificate speaks for, when its issuer is one we know."""
    if identity.issuer == GITHUB_ISSUER:
        repo = _after(identity.source_repository, "https://github.com/")
        if not repo:
            return None
        workflow_path = _after(identity.build_config, f"https://github.com/{repo}/")
        workflow = workflow_path.partition("@")[0].removeprefix(".github/workflows/")
        return Publisher(PublisherKind.GITHUB, repository=repo, workflow=workflow)
    if identity.issuer == GITLAB_ISSUER:
        repo = _after(identity.source_repository, "https://gitlab.com/")
        if not repo:
            return None
        path = _after(identity.build_config, f"https://gitlab.com/{repo}//").partition("@")[0]
        return Publisher(PublisherKind.GITLAB, repository=repo, workflow=path)
    if identity.issuer == GOOGLE_ISSUER and identity.subject:
        return Publisher(PublisherKind.GOOGLE, email=identity.subject)
    if identity.issuer == ACTIVESTATE_ISSUER:
        return Publisher(PublisherKind.ACTIVESTATE, repository=identity.subject)
    return None


def repository_problem(
    publisher: Publisher | None, identity: SignerIdentity | None, expected_url: str
) -> str | None:
    """Why the signer is not the repository ``expected_url`` (None when it is)."""
    expected = parse_repository_url(expected_url)
    if expected is None:
        return (
            f"--repository {expected_url!r} is not a GitHub or GitLab repository URL "
            "(expected e.g. https://github.com/OWNER/NAME)"
        )
    candidates: list[tuple[PublisherKind, str]] = []
    if publisher is not None and publisher.repository_url:
        parsed = parse_repository_url(publisher.repository_url)
        if parsed:
            candidates.append(parsed)
    if identity is not None and identity.source_repository:
        parsed = parse_repository_url(identity.source_repository)
        if parsed:
            candidates.append(parsed)
    who = publisher.describe() if publisher else (identity.describe() if identity else "?")
    if not candidates:
        return f"signed by {who}, which is not a repository; expected {expected_url}"
    wrong = [c for c in candidates if not same_repository(c, expected)]
    if wrong:
        return f"published from {who}, not from the expected repository {expected_url}"
    return None


def metadata_repositories(urls: Iterable[str]) -> list[tuple[PublisherKind, str]]:
    """The GitHub/GitLab repositories named by metadata URLs (Home-page, Project-URL), deduped."""
    seen: dict[tuple[PublisherKind, str], None] = {}
    for url in urls:
        parsed = parse_repository_url(url)
        if parsed is not None:
            seen.setdefault((parsed[0], parsed[1].lower()), None)
    return list(seen)


def metadata_findings(
    publisher: Publisher, urls: Iterable[str], *, file: str = ""
) -> list[Finding]:
    """A finding when the attested repository is none of the repositories the metadata names.

    Nothing when the metadata names no GitHub/GitLab repository, or when the publisher is not a
    repository (Google, ActiveState, CircleCI).
    """
    repo_url = publisher.repository_url
    attested = parse_repository_url(repo_url) if repo_url else None
    if attested is None:
        return []
    named = metadata_repositories(urls)
    if not named or any(same_repository(attested, n) for n in named):
        return []
    listed = ", ".join(f"{k.value.lower()}.com/{r}" for k, r in named[:3])
    return [
        Finding(
            rule="provenance-repository-mismatch",
            category="provenance.repository-mismatch",
            severity=Severity.MEDIUM,
            message=(
                f"attested by {publisher.describe()}, but the metadata points to {listed}: "
                "the project's declared repository did not publish this file"
            ),
            file=file,
            evidence=repo_url or "",
            weight=0.4,
        )
    ]
