"""PEP 740 on the index: attestations accepted on upload (twine --attestations), verified against
the uploaded file, stored, and served (Integrity API, ``provenance`` in the PEP 691 JSON).

Uses the real attested sdist ``pypi_attestations-0.0.19.tar.gz`` from ../shared/data/provenance.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.conftest import FakeScanner, Publisher
from index.packages import build_sdist, sdist_filename, upload_fields
from index.test_server import BIN, CLIENT_ENV, wait_state
from snakewarden.cli.main import main
from snakewarden.core.models import Verdict
from snakewarden.index.app import create_app
from snakewarden.index.errors import NotFound
from snakewarden.index.server import BackgroundServer
from snakewarden.index.web import IndexServices
from snakewarden.provenance.check import distribution_of, verify_distribution
from snakewarden.provenance.parse import parse_provenance
from snakewarden.provenance.verify import SigstoreAttestationVerifier

DIST = "pypi_attestations-0.0.19.tar.gz"
GITLAB = "gitlab_oidc_project-0.0.3.tar.gz"
JSON_V1 = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def vectors(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = shared_data / "provenance"
    if not folder.is_dir():
        pytest.skip("../shared/data/provenance is absent")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return folder


@pytest.fixture
def prov_server(
    services: IndexServices, scanner: FakeScanner, vectors: Path
) -> Iterator[BackgroundServer]:
    scanner.verdicts["pypi_attestations"] = Verdict.CLEAN
    scanner.verdicts["gitlab_oidc_project"] = Verdict.CLEAN
    with BackgroundServer(create_app(services)) as srv:
        yield srv


def _post(
    server: BackgroundServer,
    publisher: Publisher,
    name: str,
    version: str,
    filename: str,
    data: bytes,
    attestations: str | None,
) -> httpx.Response:
    fields = upload_fields(name, version, filename, data)
    if attestations is not None:
        fields["attestations"] = attestations
    return httpx.post(
        f"{server.url}/legacy/",
        data=fields,
        files={"content": (filename, data)},
        auth=("__token__", publisher.token),
        timeout=60,
    )


def _attestations(vectors: Path) -> str:
    return "[" + (vectors / f"{DIST}.publish.attestation").read_text() + "]"


def _twine_with_attestations(
    url: str, files: list[Path], token: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "twine"), "upload", "--attestations", "--disable-progress-bar",
            "--non-interactive", "--repository-url", f"{url}/legacy/", "-u", "__token__",
            "-p", token, *map(str, files),
        ],
        capture_output=True, text=True, timeout=120, env=CLIENT_ENV, check=False,
    )  # fmt: skip


def test_twine_uploads_attestations_and_the_index_serves_them(
    services: IndexServices,
    prov_server: BackgroundServer,
    publisher: Publisher,
    vectors: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """twine --attestations sends FILE.publish.attestation; the index verifies it (GitLab)."""
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(vectors / GITLAB, dist / GITLAB)
    shutil.copy(vectors / f"{GITLAB}.publish.attestation", dist / f"{GITLAB}.publish.attestation")
    done = _twine_with_attestations(
        prov_server.url, [dist / GITLAB, dist / f"{GITLAB}.publish.attestation"], publisher.token
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert wait_state(services, GITLAB) == "published"

    page = httpx.get(f"{prov_server.url}/simple/gitlab-oidc-project/", headers={"Accept": JSON_V1})
    (entry,) = page.json()["files"]
    assert entry["provenance"] == f"/integrity/gitlab-oidc-project/0.0.3/{GITLAB}/provenance"

    served = httpx.get(prov_server.url + entry["provenance"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/vnd.pypi.integrity.v1+json"
    publisher_json = served.json()["attestation_bundles"][0]["publisher"]
    assert publisher_json["kind"] == "GitLab"
    assert publisher_json["repository"] == "facutuesca/gitlab-oidc-project"
    assert publisher_json["workflow_filepath"] == ".gitlab-ci.yml"
    report = verify_distribution(
        distribution_of(GITLAB, (vectors / GITLAB).read_bytes()),
        parse_provenance(served.content),
        SigstoreAttestationVerifier(),
    )
    assert report.verified, report.problems

    # A client verifies the file against the index: snakewarden verify --index-url.
    (dist / f"{GITLAB}.publish.attestation").unlink()
    code = main(
        [
            "verify",
            str(dist / GITLAB),
            "--index-url",
            f"{prov_server.url}/simple/",
            "--repository",
            "https://gitlab.com/facutuesca/gitlab-oidc-project",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "verified: gitlab_oidc_project-0.0.3.tar.gz" in out


def test_the_real_pypi_attestations_sdist_with_its_attestation(
    services: IndexServices, prov_server: BackgroundServer, publisher: Publisher, vectors: Path
) -> None:
    data = (vectors / DIST).read_bytes()
    ok = _post(
        prov_server, publisher, "pypi-attestations", "0.0.19", DIST, data, _attestations(vectors)
    )
    assert ok.status_code == 200, ok.text
    assert wait_state(services, DIST) == "published"
    served = httpx.get(f"{prov_server.url}/integrity/pypi-attestations/0.0.19/{DIST}/provenance")
    assert served.status_code == 200
    assert served.json()["attestation_bundles"][0]["publisher"] == {
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": None,
    }
    # An identical re-upload (twine --skip-existing style) keeps the recorded provenance.
    again = _post(
        prov_server, publisher, "pypi-attestations", "0.0.19", DIST, data, _attestations(vectors)
    )
    assert again.status_code == 200, again.text
    same = httpx.get(f"{prov_server.url}/integrity/pypi-attestations/0.0.19/{DIST}/provenance")
    assert same.content == served.content


def test_uploads_with_bad_attestations_are_refused(
    services: IndexServices, prov_server: BackgroundServer, publisher: Publisher, vectors: Path
) -> None:
    attestations = _attestations(vectors)
    # another file's attestation
    other = build_sdist("swprov-demo", "1.0")
    refused = _post(
        prov_server,
        publisher,
        "swprov-demo",
        "1.0",
        sdist_filename("swprov-demo", "1.0"),
        other,
        attestations,
    )
    assert refused.status_code == 400
    assert "Invalid attestations: the attestation is for 'pypi_attestations-0.0.19.tar.gz'" in (
        refused.text
    )
    # the right name, but not the signed bytes
    tampered = (vectors / DIST).read_bytes() + b"\0"
    refused = _post(
        prov_server, publisher, "pypi-attestations", "0.0.19", DIST, tampered, attestations
    )
    assert refused.status_code == 400
    assert "does not match the attested digest" in refused.text
    # garbage
    refused = _post(prov_server, publisher, "pypi-attestations", "0.0.19", DIST, tampered, "[{")
    assert refused.status_code == 400
    assert "Invalid attestations" in refused.text
    # none of these was recorded: the filename is still free
    with pytest.raises(NotFound):
        services.review.file_state(DIST)
    accepted = _post(
        prov_server,
        publisher,
        "pypi-attestations",
        "0.0.19",
        DIST,
        (vectors / DIST).read_bytes(),
        attestations,
    )
    assert accepted.status_code == 200, accepted.text


def test_files_without_attestations_have_no_provenance(
    services: IndexServices, prov_server: BackgroundServer, publisher: Publisher
) -> None:
    data = build_sdist("swprov-plain", "1.0")
    filename = sdist_filename("swprov-plain", "1.0")
    assert (
        _post(prov_server, publisher, "swprov-plain", "1.0", filename, data, None).status_code
        == 200
    )
    assert wait_state(services, filename) == "published"
    page = httpx.get(f"{prov_server.url}/simple/swprov-plain/", headers={"Accept": JSON_V1})
    assert "provenance" not in page.json()["files"][0]
    missing = httpx.get(f"{prov_server.url}/integrity/swprov-plain/1.0/{filename}/provenance")
    assert missing.status_code == 404
    assert "uploaded without attestations" in missing.text
    wrong = httpx.get(f"{prov_server.url}/integrity/other/1.0/{filename}/provenance")
    assert wrong.status_code == 404
    assert json.dumps(wrong.text)


def test_provenance_of_a_held_file_is_not_served(
    services: IndexServices,
    prov_server: BackgroundServer,
    publisher: Publisher,
    scanner: FakeScanner,
    vectors: Path,
) -> None:
    scanner.verdicts["pypi_attestations"] = Verdict.SUSPICIOUS
    data = (vectors / DIST).read_bytes()
    ok = _post(
        prov_server, publisher, "pypi-attestations", "0.0.19", DIST, data, _attestations(vectors)
    )
    assert ok.status_code == 200, ok.text
    assert wait_state(services, DIST) != "published"
    held = httpx.get(f"{prov_server.url}/integrity/pypi-attestations/0.0.19/{DIST}/provenance")
    assert held.status_code == 404
    assert "is served here" in held.text
