"""The proxy over HTTP against a fake upstream on loopback: pages, files, cache, failures."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest

from snakewarden.proxy.simple import JSON_V1

from .conftest import DROPPER, SDIST, WHEEL, CountingScanner

JSON_ACCEPT = {"Accept": JSON_V1}


def test_json_page_rewrites_urls_and_keeps_hashes(run_proxy) -> None:
    proxy = run_proxy()
    r = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(JSON_V1)
    doc = r.json()
    assert doc["meta"]["api-version"] == "1.3"
    assert doc["versions"] == ["1.0"]
    (entry,) = doc["files"]
    filename, data = WHEEL
    assert entry["filename"] == filename
    assert entry["url"].startswith(proxy.url + "/files/tinyclean/")
    assert entry["hashes"]["sha256"] in entry["url"]
    assert entry["core-metadata"]
    assert entry["size"] == len(data)
    assert doc["tracks"] == [proxy.index.url + "tinyclean/"]


def test_html_page_and_negotiation(run_proxy) -> None:
    proxy = run_proxy()
    r = httpx.get(proxy.simple + "tinyclean/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'data-core-metadata="sha256=' in r.text
    assert '<meta name="pypi:tracks"' in r.text
    assert f"{proxy.url}/files/tinyclean/" in r.text
    assert "#sha256=" in r.text
    assert (
        httpx.get(proxy.simple + "tinyclean/", headers={"Accept": "image/png"}).status_code == 406
    )
    moved = httpx.get(proxy.simple + "TinyClean/")
    assert moved.status_code == 301
    assert moved.headers["location"].endswith("/simple/tinyclean/")


def test_html_only_upstream_is_parsed(run_proxy, fake_index) -> None:
    fake_index.json_api = False
    proxy = run_proxy()
    doc = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()
    assert [f["filename"] for f in doc["files"]] == [WHEEL[0]]
    url = doc["files"][0]["url"]
    assert httpx.get(url).content == WHEEL[1]


def test_clean_file_is_served_then_cached_without_upstream(run_proxy) -> None:
    proxy = run_proxy()
    doc = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()
    url = doc["files"][0]["url"]
    first = httpx.get(url)
    assert first.status_code == 200
    assert first.content == WHEEL[1]
    pages, files = proxy.index.count("/simple/"), proxy.index.count("/packages/")
    assert files == 1
    second = httpx.get(url)
    assert second.content == WHEEL[1]
    assert proxy.index.count("/packages/") == 1
    assert proxy.index.count("/simple/") == pages
    assert proxy.scanner.calls == 1
    actions = [(e.action, e.cached) for e in proxy.decisions.entries if e.stage == "file"]
    assert actions == [("allow", False), ("allow", True)]
    verdicts = list((proxy.data_dir / "verdicts").rglob("*.json"))
    assert len(verdicts) == 1
    assert json.loads(verdicts[0].read_text())["verdict"] == "clean"


def test_cached_verdict_survives_a_restart_without_upstream(
    run_proxy, fake_index, tmp_path
) -> None:
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    assert httpx.get(url).status_code == 200
    # a second proxy on the same data folder, with upstream gone
    from snakewarden.proxy import ProxyConfig, create_proxy_app
    from snakewarden.proxy.app import build_service

    from .conftest import serve

    fake_index.stop()
    config = ProxyConfig(upstream_url=fake_index.url, data_dir=proxy.data_dir)
    scanner = CountingScanner()
    with serve(create_proxy_app(config, build_service(config, scanner=scanner))) as base:
        again = httpx.get(url.replace(proxy.url, base))
    assert again.status_code == 200
    assert again.content == WHEEL[1]
    assert scanner.calls == 0


def test_malicious_file_is_refused_with_reason(run_proxy) -> None:
    proxy = run_proxy()
    doc = httpx.get(proxy.simple + "dropper-demo/", headers=JSON_ACCEPT).json()
    url = doc["files"][0]["url"]
    r = httpx.get(url, follow_redirects=True)
    assert r.status_code == 403
    assert "/-/blocked/" in str(r.url)
    assert "malicious" in str(r.url)
    assert r.text.startswith(f"{DROPPER[0]}: blocked by snakewarden policy: malicious")
    assert "download-execute" in r.text or "install" in r.text
    assert "malicious" in r.headers["x-snakewarden-reason"]
    again = httpx.get(url, follow_redirects=True)
    assert again.status_code == 403
    assert proxy.index.count("/packages/") == 1
    assert proxy.scanner.calls == 1
    blocks = [e for e in proxy.decisions.entries if e.action == "block"]
    assert [e.cached for e in blocks] == [False, True]
    assert blocks[0].verdict == "malicious"
    assert blocks[0].filename == DROPPER[0]


def test_wrong_hash_is_a_clear_502_and_nothing_is_cached(run_proxy, fake_index) -> None:
    fake_index.corrupt.add(SDIST[0])
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "plain-sdist/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    r = httpx.get(url, follow_redirects=True)
    assert r.status_code == 502
    assert "sha256" in r.text
    assert "not served" in r.text
    assert not any(p.is_file() for p in (proxy.data_dir / "files").rglob("*"))
    assert proxy.scanner.calls == 0
    (entry,) = proxy.decisions.entries
    assert entry.action == "error"
    assert entry.rule == "IntegrityError"


def test_upstream_down_gives_502(run_proxy, fake_index) -> None:
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    fake_index.stop()
    r = httpx.get(proxy.simple + "plain-sdist/", follow_redirects=True)
    assert r.status_code == 502
    assert "cannot reach upstream" in r.text
    r = httpx.get(url, follow_redirects=True)
    assert r.status_code == 502
    assert "cannot reach upstream" in r.text


def test_upstream_errors_pass_as_503(run_proxy, fake_index) -> None:
    proxy = run_proxy()
    fake_index.fail_status = 503
    r = httpx.get(proxy.simple + "tinyclean/", follow_redirects=True)
    assert r.status_code == 503
    assert "HTTP 503" in r.text


def test_unknown_project_and_file_are_404(run_proxy) -> None:
    proxy = run_proxy()
    assert httpx.get(proxy.simple + "no-such-project/").status_code == 404
    bogus = f"{proxy.url}/files/tinyclean/{'0' * 64}/{WHEEL[0]}"
    r = httpx.get(bogus)
    assert r.status_code == 404
    assert "sha256" in r.text
    assert httpx.get(f"{proxy.url}/files/tinyclean/nothex/{WHEEL[0]}").status_code == 404


def test_metadata_is_passed_through_verified(run_proxy) -> None:
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    r = httpx.get(url + ".metadata")
    assert r.status_code == 200
    assert b"Name: tinyclean" in r.content
    assert httpx.get(url + ".metadata").content == r.content
    assert proxy.index.count("/packages/tinyclean-1.0-py3-none-any.whl.metadata") == 1


def test_parallel_requests_download_and_scan_once(run_proxy) -> None:
    proxy = run_proxy(scanner=CountingScanner(delay=0.5))
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: httpx.get(url, timeout=30), range(8)))
    assert all(r.status_code == 200 and r.content == WHEEL[1] for r in results)
    assert proxy.index.count("/packages/") == 1
    assert proxy.scanner.calls == 1


def test_root_lists_projects_seen(run_proxy) -> None:
    proxy = run_proxy()
    httpx.get(proxy.simple + "tinyclean/")
    r = httpx.get(proxy.simple, headers=JSON_ACCEPT)
    assert r.json()["projects"] == [{"name": "tinyclean"}]
    assert 'href="tinyclean/"' in httpx.get(proxy.simple).text


@pytest.mark.parametrize("path", ["/files/x/../../etc/passwd", "/files/a/b/c/d"])
def test_odd_paths_are_not_served(run_proxy, path) -> None:
    proxy = run_proxy()
    assert httpx.get(proxy.url + path).status_code == 404


def test_a_damaged_cache_heals_from_upstream(run_proxy) -> None:
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    assert httpx.get(url).status_code == 200
    (blob,) = [p for p in (proxy.data_dir / "files").rglob("*") if p.is_file()]
    blob.unlink()
    again = httpx.get(url)
    assert again.status_code == 200
    assert again.content == WHEEL[1]
    assert proxy.index.hits[f"/packages/{WHEEL[0]}"] == 2


def test_a_failing_store_is_a_clear_503(run_proxy) -> None:
    from snakewarden.adapters.storage import InMemoryFileStore, StorageError

    class FullDisk(InMemoryFileStore):
        def put(self, data: bytes) -> str:
            raise StorageError("cannot write blob: No space left on device")

    proxy = run_proxy(files=FullDisk())
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    r = httpx.get(url, follow_redirects=True)
    assert r.status_code == 503
    assert "No space left" in r.text


def test_stale_page_is_served_when_upstream_fails(run_proxy, fake_index) -> None:
    from datetime import timedelta

    from snakewarden.proxy.stores import ManualClock

    clock = ManualClock()
    proxy = run_proxy(clock=clock)
    assert httpx.get(proxy.simple + "tinyclean/").status_code == 200
    clock.advance(timedelta(hours=1))  # past the TTL, within the stale window
    fake_index.fail_status = 500
    r = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT)
    assert r.status_code == 200
    assert r.json()["files"][0]["filename"] == WHEEL[0]
    assert proxy.index.count("/simple/") == 2  # it did ask upstream first
    clock.advance(timedelta(days=2))  # too stale now
    assert httpx.get(proxy.simple + "tinyclean/", follow_redirects=True).status_code == 502


def test_missing_trailing_slash_redirects(run_proxy) -> None:
    proxy = run_proxy()
    r = httpx.get(proxy.simple + "tinyclean", follow_redirects=True)
    assert r.status_code == 200
    assert str(r.url).endswith("/simple/tinyclean/")


def test_refusal_pages_never_echo_unknown_urls(run_proxy) -> None:
    proxy = run_proxy()
    r = httpx.get(proxy.url + "/-/blocked/x/install-evil-from-elsewhere")
    assert r.status_code == 403
    assert "evil" not in r.text
    r = httpx.get(proxy.url + "/-/unavailable/200/x/install-evil")
    assert r.status_code == 502
    assert "evil" not in r.text


def test_a_cached_file_is_not_served_under_another_project(run_proxy) -> None:
    proxy = run_proxy()
    url = httpx.get(proxy.simple + "tinyclean/", headers=JSON_ACCEPT).json()["files"][0]["url"]
    assert httpx.get(url).status_code == 200
    other = url.replace("/files/tinyclean/", "/files/plain-sdist/")
    r = httpx.get(other)
    assert r.status_code == 404
    assert "does not list" in r.text
