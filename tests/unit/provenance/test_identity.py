from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snakewarden.core.models import Severity
from snakewarden.provenance.identity import (
    metadata_findings,
    parse_repository_url,
    publisher_from_identity,
    repository_problem,
)
from snakewarden.provenance.model import (
    GITHUB_ISSUER,
    GITLAB_ISSUER,
    GOOGLE_ISSUER,
    Publisher,
    PublisherKind,
    SignerIdentity,
)

GH = PublisherKind.GITHUB
GL = PublisherKind.GITLAB


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/sigstore/sigstore-python", (GH, "sigstore/sigstore-python")),
        ("https://github.com/sigstore/sigstore-python/", (GH, "sigstore/sigstore-python")),
        ("https://github.com/sigstore/sigstore-python.git", (GH, "sigstore/sigstore-python")),
        ("git+https://github.com/o/r.git", (GH, "o/r")),
        ("git@github.com:o/r.git", (GH, "o/r")),
        ("http://www.github.com/O/R/tree/main/docs", (GH, "O/R")),
        ("github.com/o/r/issues", (GH, "o/r")),
        ("https://gitlab.com/group/sub/project", (GL, "group/sub/project")),
        ("https://gitlab.com/group/sub/project/-/issues", (GL, "group/sub/project")),
        ("https://github.com/o", None),
        ("https://example.invalid/o/r", None),
        ("https://sigstore.readthedocs.io", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_parse_repository_url(url: str, expected: tuple[PublisherKind, str] | None) -> None:
    assert parse_repository_url(url) == expected


@given(st.text(max_size=200))
def test_parse_repository_url_never_raises(text: str) -> None:
    result = parse_repository_url(text)
    assert result is None or "/" in result[1]


def test_publisher_from_github_identity() -> None:
    identity = SignerIdentity(
        issuer=GITHUB_ISSUER,
        source_repository="https://github.com/o/r",
        build_config="https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1",
    )
    assert publisher_from_identity(identity) == Publisher(
        GH, repository="o/r", workflow="release.yml"
    )


def test_publisher_from_gitlab_and_google_identity() -> None:
    gitlab = SignerIdentity(
        issuer=GITLAB_ISSUER,
        source_repository="https://gitlab.com/g/p",
        build_config="https://gitlab.com/g/p//ci/publish.yml@refs/heads/main",
    )
    assert publisher_from_identity(gitlab) == Publisher(
        GL, repository="g/p", workflow="ci/publish.yml"
    )
    google = SignerIdentity(issuer=GOOGLE_ISSUER, subject="sa@p.iam.gserviceaccount.com")
    assert publisher_from_identity(google) == Publisher(
        PublisherKind.GOOGLE, email="sa@p.iam.gserviceaccount.com"
    )
    assert publisher_from_identity(SignerIdentity(issuer="https://github.com/login/oauth")) is None
    assert publisher_from_identity(SignerIdentity(issuer=GITHUB_ISSUER)) is None


def test_repository_problem() -> None:
    pub = Publisher(GH, repository="Sigstore/Sigstore-Python", workflow="release.yml")
    assert repository_problem(pub, None, "https://github.com/sigstore/sigstore-python.git") is None
    wrong = repository_problem(pub, None, "https://github.com/evil/sigstore-python")
    assert wrong is not None
    assert "not from the expected repository" in wrong
    not_repo = repository_problem(pub, None, "https://example.invalid/x")
    assert not_repo is not None
    assert "not a GitHub or GitLab repository URL" in not_repo
    google = Publisher(PublisherKind.GOOGLE, email="a@b")
    problem = repository_problem(google, SignerIdentity(), "https://github.com/o/r")
    assert problem is not None
    assert "not a repository" in problem


def test_metadata_findings() -> None:
    pub = Publisher(GH, repository="o/r", workflow="release.yml")
    assert metadata_findings(pub, ["https://github.com/O/R", "https://docs.example.invalid"]) == []
    assert metadata_findings(pub, ["https://docs.example.invalid"]) == []
    found = metadata_findings(pub, ["https://github.com/popular/project"], file="x-1.0.tar.gz")
    assert len(found) == 1
    assert found[0].rule == "provenance-repository-mismatch"
    assert found[0].severity is Severity.MEDIUM
    assert "github.com/popular/project" in found[0].message
    assert (
        metadata_findings(Publisher(PublisherKind.GOOGLE, email="a@b"), ["https://github.com/o/x"])
        == []
    )
