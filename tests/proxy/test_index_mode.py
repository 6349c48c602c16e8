"""``snakewarden serve --upstream``: the index serves its own projects and proxies the others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from snakewarden.index.app import build_services, create_app
from snakewarden.index.config import IndexConfig
from snakewarden.index.models import Project
from snakewarden.index.web import IndexServices
from snakewarden.proxy.mount import attach_upstream
from snakewarden.proxy.simple import JSON_V1

from .conftest import SDIST, WHEEL, CountingScanner, Proxy, serve
from .fake_index import FakeIndex
from .test_pip import pip_install


@pytest.fixture
def index_services(tmp_path: Path) -> Iterator[IndexServices]:
    data = tmp_path / "index"
    config = IndexConfig(
        data_dir=data, db_url=f"sqlite:///{data / 'db.sqlite3'}", workers=0, check_names=False
    )
    data.mkdir()
    services = build_services(config, gates=())
    with services.db.write() as s:  # a local project with no file published yet
        s.add(
            Project(name="plain_sdist", normalized_name="plain-sdist", created_at=datetime.now(UTC))
        )
    yield services
    services.db.close()


@pytest.fixture
def index_url(
    index_services: IndexServices, fake_index: FakeIndex, tmp_path: Path
) -> Iterator[str]:
    scanner = CountingScanner()
    attach_upstream(index_services, tmp_path / "index", fake_index.url, scanner=scanner)
    with serve(create_app(index_services)) as url:
        yield url


def test_projects_not_hosted_come_from_upstream(
    index_url: str, fake_index: FakeIndex, index_services: IndexServices
) -> None:
    services = index_services
    r = httpx.get(f"{index_url}/simple/tinyclean/", headers={"Accept": JSON_V1})
    assert r.status_code == 200
    (f,) = r.json()["files"]
    assert f["url"].startswith(f"{index_url}/files/tinyclean/")
    assert httpx.get(f["url"]).content == WHEEL[1]
    dropper = httpx.get(f"{index_url}/simple/dropper-demo/", headers={"Accept": JSON_V1}).json()
    refused = httpx.get(dropper["files"][0]["url"], follow_redirects=True)
    assert refused.status_code == 403
    assert "malicious" in refused.text
    from snakewarden.core.events import EventTag
    from snakewarden.index.events import read_events

    (event,) = [e for e in read_events(services.db) if e.tag is EventTag.PROXY_REFUSED]
    assert event.filename == dropper["files"][0]["filename"]
    assert event.detail("verdict") == "malicious"
    assert event.ip == "127.0.0.1"


def test_a_local_name_is_never_fetched_from_upstream(index_url: str, fake_index: FakeIndex) -> None:
    r = httpx.get(f"{index_url}/simple/plain-sdist/")
    assert r.status_code == 404
    crafted = f"{index_url}/files/plain-sdist/{'a' * 64}/{SDIST[0]}"
    r = httpx.get(crafted)
    assert r.status_code == 404
    assert "hosted on this index" in r.text
    assert fake_index.count("/simple/plain-sdist") == 0
    assert fake_index.count("/packages/") == 0


@pytest.mark.slow
def test_pip_through_the_index(index_url: str, fake_index: FakeIndex, tmp_path: Path) -> None:
    proxy = Proxy(index_url, fake_index, CountingScanner(), None, tmp_path)  # type: ignore[arg-type]
    ok = pip_install(proxy, tmp_path / "ok", "tinyclean")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "tinyclean" / "__init__.py").is_file()
    bad = pip_install(proxy, tmp_path / "bad", "dropper-demo")
    assert bad.returncode != 0
    assert "/-/blocked/dropper_demo-0.1.tar.gz/malicious-score-" in bad.stderr
