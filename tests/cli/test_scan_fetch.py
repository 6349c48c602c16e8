"""``scan NAME`` and ``scan NAME==VERSION`` against a fake index on 127.0.0.1; the client alone."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import httpx
import pytest
from scan_packages import EVIL_SETUP, sdist_bytes

from snakewarden.adapters.pypi import (
    InMemoryIndexClient,
    PyPIClient,
    RemoteFile,
    choose_file,
    parse_simple_html,
)
from snakewarden.core.models import Verdict
from snakewarden.errors import FetchError
from snakewarden.scanner import ScanOptions, parse_target, scan_many, scan_target

Run = Callable[..., tuple[int, str, str]]
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def _simple_json(index, name: str, files: dict[str, bytes], *, bad_hash: str = "") -> None:  # type: ignore[no-untyped-def]
    entries = []
    for filename, data in files.items():
        digest = index.add_file(f"/files/{filename}", data)
        entries.append(
            {
                "filename": filename,
                "url": f"../../files/{filename}",  # relative to the project page
                "hashes": {"sha256": bad_hash or digest},
            }
        )
    doc = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
    index.routes[f"/simple/{name}/"] = (200, SIMPLE_JSON, json.dumps(doc).encode())


def test_name_version_is_fetched_checked_and_scanned(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    evil = sdist_bytes("evildemo", "1.0", EVIL_SETUP)
    _simple_json(
        fake_index,
        "evildemo",
        {
            "evildemo-1.0.tar.gz": evil,
            "evildemo-1.0-py3-none-any.whl": b"not used",
            "evildemo-0.9.tar.gz": sdist_bytes("evildemo", "0.9"),
        },
    )
    code, out, _ = run_cli(
        "evildemo==1.0", "--index-url", f"{fake_index.url}/simple/", "--format", "jsonl"
    )
    assert code == 1
    row = json.loads(out)
    assert row["target"] == "evildemo==1.0"
    assert row["verdict"] == "malicious"
    assert row["sha256"] == hashlib.sha256(evil).hexdigest()
    assert "/files/evildemo-1.0.tar.gz" in fake_index.requests


def test_name_alone_takes_the_latest_final_release(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    _simple_json(
        fake_index,
        "gooddemo",
        {
            "gooddemo-1.0.tar.gz": sdist_bytes("gooddemo", "1.0"),
            "gooddemo-2.0.tar.gz": sdist_bytes("gooddemo", "2.0"),
            "gooddemo-3.0rc1.tar.gz": sdist_bytes("gooddemo", "3.0rc1"),
        },
    )
    code, out, _ = run_cli(
        "gooddemo", "--index-url", f"{fake_index.url}/simple", "--format", "json"
    )
    assert code == 0
    (row,) = json.loads(out)
    assert row["verdict"] == "clean"
    assert row["version"] == "2.0"


def test_sha256_mismatch_is_an_error_and_nothing_is_scanned(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    _simple_json(
        fake_index,
        "evildemo",
        {"evildemo-1.0.tar.gz": sdist_bytes("evildemo", "1.0", EVIL_SETUP)},
        bad_hash="0" * 64,
    )
    code, out, err = run_cli(
        "evildemo==1.0", "--index-url", f"{fake_index.url}/simple/", "--format", "jsonl"
    )
    assert code == 2
    row = json.loads(out)
    assert row["verdict"] == "error"
    assert "sha256 mismatch" in row["error"]
    assert row["findings"] == []
    assert "could not be scanned" in err


def test_pep503_html_page_with_relative_links(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    data = sdist_bytes("gooddemo", "1.5")
    digest = fake_index.add_file("/packages/gooddemo-1.5.tar.gz", data)
    page = (
        "<!DOCTYPE html><html><body>"
        f'<a href="../../packages/gooddemo-1.5.tar.gz#sha256={digest}">gooddemo-1.5.tar.gz</a>'
        '<a href="../../packages/gooddemo-1.6.tar.gz#sha256=00" data-yanked="">yanked</a>'
        "</body></html>"
    ).encode()
    fake_index.routes["/simple/gooddemo/"] = (200, "text/html", page)
    code, out, _ = run_cli(
        "gooddemo", "--index-url", f"{fake_index.url}/simple/", "--format", "jsonl"
    )
    assert code == 0
    row = json.loads(out)
    assert row["version"] == "1.5"
    assert row["sha256"] == digest


def test_json_api(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    data = sdist_bytes("gooddemo", "4.0")
    digest = fake_index.add_file("/f/gooddemo-4.0.tar.gz", data)
    doc = {
        "info": {"name": "gooddemo", "version": "4.0"},
        "urls": [
            {
                "filename": "gooddemo-4.0.tar.gz",
                "url": f"{fake_index.url}/f/gooddemo-4.0.tar.gz",
                "digests": {"sha256": digest},
                "packagetype": "sdist",
            }
        ],
    }
    fake_index.routes["/pypi/gooddemo/4.0/json"] = (
        200,
        "application/json",
        json.dumps(doc).encode(),
    )
    code, out, _ = run_cli(
        "gooddemo==4.0", "--index-url", f"{fake_index.url}/pypi", "--format", "jsonl"
    )
    assert code == 0
    assert json.loads(out)["version"] == "4.0"


def test_unknown_project_and_version(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    _simple_json(fake_index, "gooddemo", {"gooddemo-1.0.tar.gz": sdist_bytes("gooddemo", "1.0")})
    code, out, _ = run_cli(
        "nosuchproject",
        "gooddemo==9.9",
        "--index-url",
        f"{fake_index.url}/simple/",
        "--format",
        "jsonl",
    )
    assert code == 2
    first, second = (json.loads(line) for line in out.splitlines())
    assert "no such project" in first["error"]
    assert "no sdist or wheel for that version" in second["error"]
    assert "1.0" in second["error"]


def test_fetching_in_worker_processes(run_cli: Run, fake_index) -> None:  # type: ignore[no-untyped-def]
    _simple_json(fake_index, "gooddemo", {"gooddemo-1.0.tar.gz": sdist_bytes("gooddemo", "1.0")})
    _simple_json(
        fake_index, "evildemo", {"evildemo-1.0.tar.gz": sdist_bytes("evildemo", "1.0", EVIL_SETUP)}
    )
    targets = ["gooddemo", "evildemo==1.0", "gooddemo==1.0", "missing"]
    code, out, _ = run_cli(
        *targets, "--index-url", f"{fake_index.url}/simple/", "--format", "jsonl", "--jobs", "2"
    )
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["target"] for r in rows] == targets
    assert [r["verdict"] for r in rows] == ["clean", "malicious", "clean", "error"]


# ------------------------------------------------------------------------ the client alone


def _client(handler: Callable[[httpx.Request], httpx.Response], **kw: int) -> PyPIClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return PyPIClient("https://index.example.invalid/simple/", client=http, **kw)


def test_download_size_is_bounded() -> None:
    data = sdist_bytes("big", "1.0") + bytes(5000)
    digest = hashlib.sha256(data).hexdigest()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/simple/big/":
            doc = {"files": [{"filename": "big-1.0.tar.gz", "url": "/f/big-1.0.tar.gz",
                              "hashes": {"sha256": digest}}]}  # fmt: skip
            return httpx.Response(200, json=doc, headers={"content-type": SIMPLE_JSON})
        return httpx.Response(200, content=data)

    with pytest.raises(FetchError, match=r"bound|download stopped"):
        _client(handler, max_download=1000).fetch("big", None)
    assert _client(handler).fetch("big", None).sha256 == digest


def test_network_failures_are_fetch_errors() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(FetchError, match="timed out"):
        _client(timeout).fetch("x", None)
    with pytest.raises(FetchError, match="failed"):
        _client(refused).fetch("x", None)

    def server_error(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    with pytest.raises(FetchError, match="HTTP 503"):
        _client(server_error).fetch("x", None)


def test_file_without_a_hash_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/simple/x/":
            return httpx.Response(200, html='<a href="/f/x-1.0.tar.gz">x</a>')
        return httpx.Response(200, content=sdist_bytes("x", "1.0"))

    with pytest.raises(FetchError, match="no sha256"):
        _client(handler).fetch("x", None)


def test_bad_index_url_and_names() -> None:
    with pytest.raises(FetchError, match="http"):
        PyPIClient("ftp://example.invalid/")
    with pytest.raises(FetchError, match="valid project name"):
        _client(lambda r: httpx.Response(404)).fetch("../etc", None)


def test_choose_file_prefers_sdist_then_pure_wheel() -> None:
    from packaging.version import Version

    def f(name: str, kind: str, version: str = "1.0", yanked: bool = False) -> RemoteFile:
        return RemoteFile(name, "https://x.invalid/" + name, (), Version(version), kind, yanked)

    files = [
        f("p-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "wheel"),
        f("p-1.0-py3-none-any.whl", "wheel"),
        f("p-1.0.zip", "sdist"),
        f("p-1.0.tar.gz", "sdist"),
        f("p-2.0.tar.gz", "sdist", "2.0", yanked=True),
    ]
    assert choose_file("p", files, None).filename == "p-1.0.tar.gz"
    assert choose_file("p", files[:2], None).filename == "p-1.0-py3-none-any.whl"
    assert choose_file("p", files, "2.0").filename == "p-2.0.tar.gz"  # == allows a yanked file
    with pytest.raises(FetchError, match="not a valid version"):
        choose_file("p", files, "not/a/version")


def test_html_links_resolve_against_the_page() -> None:
    (rf,) = parse_simple_html(
        '<a href="../../f/p-1.0.tar.gz#sha256=ABC">p</a>', "https://h.invalid/simple/p/"
    )
    assert rf.url == "https://h.invalid/f/p-1.0.tar.gz"
    assert rf.hashes == (("sha256", "abc"),)


def test_in_memory_index_and_target_parsing() -> None:
    index = InMemoryIndexClient({("evildemo", "1.0"): ("evildemo-1.0.tar.gz", sdist_bytes(
        "evildemo", "1.0", EVIL_SETUP))})  # fmt: skip
    result = scan_target("evildemo", ScanOptions(), index)
    assert result.verdict is Verdict.MALICIOUS
    assert result.version == "1.0"
    (again,) = scan_many(["EvilDemo==1.0"], ScanOptions(), jobs=1, index=index)
    assert again.verdict is Verdict.MALICIOUS
    assert parse_target("requests == 2.0").version == "2.0"
    assert parse_target("requests").name == "requests"
