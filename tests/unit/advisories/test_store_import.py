from __future__ import annotations

import gzip
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from osv_factory import osv
from packaging.utils import canonicalize_name

from snakewarden.advisories.importers import ReadReport, read_advisories
from snakewarden.advisories.model import Advisory
from snakewarden.advisories.parse import parse_advisory
from snakewarden.advisories.sources import import_path
from snakewarden.advisories.store import InMemoryAdvisoryStore, SqliteAdvisoryStore
from snakewarden.errors import OsvError

DEMO = canonicalize_name("demo")


def _records() -> list[dict[str, Any]]:
    return [
        osv("PYSEC-1", events=[{"introduced": "0"}, {"fixed": "1.0"}], aliases=["CVE-1"]),
        osv("PYSEC-2", name="Other_Pkg", versions=["2.0"]),
        osv("MAL-1", name="evil", events=[{"introduced": "0"}]),
    ]


def _read(path: Path) -> tuple[list[Advisory], ReadReport]:
    report = ReadReport()
    return list(read_advisories(path, report)), report


@pytest.mark.parametrize("fmt", ["object", "array", "jsonl", "gzip", "zip", "folder-yaml"])
def test_every_input_format(tmp_path: Path, fmt: str) -> None:
    recs = _records()
    if fmt == "object":
        target = tmp_path / "one.json"
        target.write_text(json.dumps(recs[0]))
        recs = recs[:1]
    elif fmt == "array":
        target = tmp_path / "all.json"
        target.write_text(json.dumps(recs))
    elif fmt == "jsonl":
        target = tmp_path / "all.jsonl"
        target.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    elif fmt == "gzip":
        target = tmp_path / "all.weird-name"
        target.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in recs).encode()))
    elif fmt == "zip":
        target = tmp_path / "all.zip"
        with zipfile.ZipFile(target, "w") as zf:
            for r in recs:
                zf.writestr(f"{r['id']}.json", json.dumps(r))
            zf.writestr("README.txt", "ignored")
    else:
        target = tmp_path / "vulns"
        for r in recs:
            sub = target / r["affected"][0]["package"]["name"]
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{r['id']}.yaml").write_text(yaml.safe_dump(r))
    advisories, report = _read(target)
    assert sorted(a.id for a in advisories) == sorted(r["id"] for r in recs)
    assert report.rejected == 0


def test_yaml_timestamps_become_strings(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "id: PYSEC-9\nmodified: 2021-01-01T00:00:00Z\naffected:\n"
        "- package: {ecosystem: PyPI, name: demo}\n  versions: ['1.0']\n"
    )
    (advisory,), _ = _read(tmp_path)
    assert advisory.modified.startswith("2021-01-01T00:00:00")


def test_bad_records_are_counted_not_dropped_silently(tmp_path: Path) -> None:
    target = tmp_path / "mixed.jsonl"
    target.write_text(
        json.dumps(_records()[0]) + "\n{not json\n" + json.dumps({"no": "id"}) + "\n"
        + json.dumps({"id": "X", "modified": "", "affected": "nope"}) + "\n"
    )  # fmt: skip
    advisories, report = _read(target)
    assert [a.id for a in advisories] == ["PYSEC-1"]
    assert report.rejected == 3
    assert any("invalid JSON" in p for p in report.problems)


def test_zip_bomb_member_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "bomb.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.json", b" " * (65 * 1024 * 1024))
    advisories, report = _read(target)
    assert advisories == []
    assert report.rejected == 1


def test_unreadable_inputs_raise(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(OsvError):
        _read(bad)
    with pytest.raises(OsvError):
        _read(tmp_path / "missing.json")


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        s = SqliteAdvisoryStore(tmp_path / "advisories.db")
        yield s
        s.close()
    else:
        yield InMemoryAdvisoryStore()


def test_store_indexes_by_canonical_name(store: Any) -> None:
    stats = store.import_advisories(
        [parse_advisory(r) for r in _records()], source="t", location="here"
    )
    assert (stats.seen, stats.written) == (3, 3)
    found = store.advisories_for([DEMO, canonicalize_name("other-pkg"), canonicalize_name("none")])
    assert [a.id for a in found[DEMO]] == ["PYSEC-1"]
    assert [a.id for a in found[canonicalize_name("other-pkg")]] == ["PYSEC-2"]
    assert found[canonicalize_name("none")] == []
    assert store.get("MAL-1") is not None
    assert store.get("nope") is None
    status = store.status()
    assert (status.records, status.malicious, status.packages) == (3, 1, 3)
    assert status.sources[0].name == "t"


def test_newer_records_win_and_snapshots_remove(store: Any) -> None:
    old = parse_advisory(osv("PYSEC-1", versions=["1.0"], modified="2024-01-01T00:00:00Z"))
    new = parse_advisory(osv("PYSEC-1", versions=["2.0"], modified="2024-06-01T00:00:00Z"))
    store.import_advisories([new], source="a", location="x")
    stats = store.import_advisories([old], source="a", location="x")
    assert stats.unchanged == 1
    assert store.get("PYSEC-1").affected[0].versions == ("2.0",)
    other = parse_advisory(osv("PYSEC-2"))
    stats = store.import_advisories([other], source="a", location="x", replace_source=True)
    assert stats.removed == 1
    assert store.get("PYSEC-1") is None


def test_failed_import_leaves_the_old_database(tmp_path: Path) -> None:
    path = tmp_path / "advisories.db"
    store = SqliteAdvisoryStore(path)
    store.import_advisories([parse_advisory(_records()[0])], source="a", location="x")

    def exploding() -> Iterator[Advisory]:
        yield parse_advisory(_records()[1])
        raise OsvError("the source broke mid-import")

    with pytest.raises(OsvError):
        store.import_advisories(exploding(), source="a", location="x", replace_source=True)
    assert store.status().records == 1
    assert store.get("PYSEC-1") is not None
    store.close()
    # A second connection sees the same, intact database.
    assert SqliteAdvisoryStore(path).status().records == 1


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "advisories.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OsvError, match="cannot open"):
        SqliteAdvisoryStore(path)


def test_schema_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "advisories.db"
    SqliteAdvisoryStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema'")
    with pytest.raises(OsvError, match="schema"):
        SqliteAdvisoryStore(path)


def test_import_path_reports_rejects_and_keeps_snapshot(tmp_path: Path) -> None:
    store = SqliteAdvisoryStore(tmp_path / "db.sqlite")
    store.import_advisories([parse_advisory(_records()[0])], source="osv", location="x")
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(_records()[1]) + "\n{oops\n")
    stats = import_path(store, broken, source="osv", location="y", replace_source=True)
    assert stats.rejected == 1
    # With rejects, the snapshot is not trusted to remove anything.
    assert store.get("PYSEC-1") is not None
    store.close()


def test_shared_snapshot_imports(tmp_path: Path, shared_data: Path) -> None:
    store = SqliteAdvisoryStore(tmp_path / "db.sqlite")
    stats = import_path(
        store, shared_data / "pypa-advisories.jsonl.gz", source="file", location="x",
        replace_source=False,
    )  # fmt: skip
    assert (stats.seen, stats.rejected) == (2661, 0)
    status = store.status()
    assert (status.records, status.withdrawn, status.packages) == (2661, 10, 664)
    store.close()
