"""``snakewarden verify`` on the real PEP 740 vectors, offline (sockets are disabled)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from snakewarden.cli.main import main

SIGSTORE = "sigstore-3.6.1.tar.gz"
REPO = "https://github.com/sigstore/sigstore-python"


@pytest.fixture
def vectors(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = shared_data / "provenance"
    if not folder.is_dir():
        pytest.skip("../shared/data/provenance is absent")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return folder


def test_done_criterion_verified_offline(vectors: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "verify",
            str(vectors / SIGSTORE),
            "--provenance",
            str(vectors / f"{SIGSTORE}.provenance"),
            "--repository",
            REPO,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("verified: sigstore-3.6.1.tar.gz")
    assert "publisher: GitHub sigstore/sigstore-python (workflow release.yml)" in out
    assert "trust root: offline" in out


def test_sidecar_provenance_is_found(
    vectors: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(vectors / SIGSTORE, tmp_path / SIGSTORE)
    shutil.copy(vectors / f"{SIGSTORE}.provenance", tmp_path / f"{SIGSTORE}.provenance")
    assert main(["verify", str(tmp_path / SIGSTORE), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verified"] is True
    assert report["publisher"]["repository"] == "sigstore/sigstore-python"
    assert report["trust_root"] == "offline"
    assert report["attestations"][0]["instance"] == "production"


def test_tampered_file_exit_1(
    vectors: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray((vectors / SIGSTORE).read_bytes())
    data[-100] ^= 0xFF
    (tmp_path / SIGSTORE).write_bytes(bytes(data))
    code = main(
        [
            "verify",
            str(tmp_path / SIGSTORE),
            "--provenance",
            str(vectors / f"{SIGSTORE}.provenance"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("NOT verified: sigstore-3.6.1.tar.gz")
    assert "does not match the attested digest" in out


def test_wrong_repository_exit_1(vectors: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "verify",
            str(vectors / SIGSTORE),
            "--provenance",
            str(vectors / f"{SIGSTORE}.provenance"),
            "--repository",
            "https://github.com/example/not-sigstore",
        ]
    )
    assert code == 1
    assert "not from the expected repository" in capsys.readouterr().out


def test_another_files_provenance_exit_1(vectors: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "verify",
            str(vectors / SIGSTORE),
            "--provenance",
            str(vectors / "pypi_attestations-0.0.19.tar.gz.provenance"),
        ]
    )
    assert code == 1
    assert "another file's provenance" in capsys.readouterr().out


def test_staging_needs_flag(vectors: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheel = vectors / "rfc8785-0.1.2-py3-none-any.whl"
    argv = ["verify", str(wheel), "--provenance", f"{wheel}.publish.attestation"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "staging instance" in out
    assert "hint: pass --staging" in out
    assert main([*argv, "--staging"]) == 0
    out = capsys.readouterr().out
    assert "(Sigstore staging)" in out
    assert "check that the signer above is who you expect" in out


def test_gitlab_attestation_with_repository(
    vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = vectors / "gitlab_oidc_project-0.0.3.tar.gz"
    code = main(
        [
            "verify",
            str(sdist),
            "--provenance",
            f"{sdist}.publish.attestation",
            "--repository",
            "https://gitlab.com/facutuesca/gitlab-oidc-project",
        ]
    )
    assert code == 0
    assert "GitLab facutuesca/gitlab-oidc-project" in capsys.readouterr().out


def test_input_errors_exit_2(
    vectors: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lonely = tmp_path / SIGSTORE
    shutil.copy(vectors / SIGSTORE, lonely)
    assert main(["verify", str(lonely)]) == 2
    assert "no provenance for sigstore-3.6.1.tar.gz" in capsys.readouterr().err
    bad = tmp_path / "bad.provenance"
    bad.write_text("{not json")
    assert main(["verify", str(lonely), "--provenance", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.tar.gz")]) == 2
    assert "is not a file" in capsys.readouterr().err
    big = tmp_path / "big.provenance"
    big.write_bytes(b" " * (2 * 1024 * 1024))
    assert main(["verify", str(lonely), "--provenance", str(big)]) == 2


def _serve(vectors: Path):  # type: ignore[no-untyped-def]
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    provenance = (vectors / f"{SIGSTORE}.provenance").read_bytes()

    class Index(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/simple/sigstore/":
                body = json.dumps(
                    {
                        "meta": {"api-version": "1.1"},
                        "name": "sigstore",
                        "files": [
                            {
                                "filename": SIGSTORE,
                                "url": f"/files/{SIGSTORE}",
                                "hashes": {},
                                "provenance": f"/integrity/sigstore/3.6.1/{SIGSTORE}/provenance",
                            }
                        ],
                    }
                ).encode()
            elif self.path == f"/integrity/sigstore/3.6.1/{SIGSTORE}/provenance":
                body = provenance
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_fetch_from_index(
    vectors: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = _serve(vectors)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
        code = main(["verify", str(vectors / SIGSTORE), "--index-url", url, "--repository", REPO])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "verified: sigstore-3.6.1.tar.gz" in out
        other = tmp_path / "pypi_attestations-0.0.19.tar.gz"
        shutil.copy(vectors / other.name, other)
        assert main(["verify", str(other), "--index-url", url]) == 2
        assert "no provenance available from the index" in capsys.readouterr().err
    finally:
        server.shutdown()
        server.server_close()


def test_metadata_repository_mismatch_is_a_warning(
    vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """This real test project is published from GitLab but its metadata points to GitHub."""
    sdist = vectors / "gitlab_oidc_project-0.0.3.tar.gz"
    code = main(["verify", str(sdist), "--provenance", f"{sdist}.publish.attestation"])
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: attested by GitLab facutuesca/gitlab-oidc-project" in out
    assert "github.com/trailofbits/gitlab-oidc-project" in out
    assert (
        main(
            [
                "verify",
                str(vectors / SIGSTORE),
                "--format",
                "json",
                "--provenance",
                str(vectors / f"{SIGSTORE}.provenance"),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_repository_must_be_a_repository_url(
    vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["verify", str(vectors / SIGSTORE), "--repository", "https://example.invalid/x"]
    assert main(argv) == 2
    assert "is not a GitHub or GitLab repository URL" in capsys.readouterr().err
