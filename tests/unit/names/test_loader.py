"""Ranked-list parsing and the default checker's choice of list."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakewarden.names import (
    NameListError,
    load_default_checker,
    parse_ranked_list,
    read_ranked_list,
    shipped_list,
)
from snakewarden.names.loader import REFRESHED_LIST


def test_tsv_is_sorted_by_rank_and_canonicalized() -> None:
    data = b"rank\tname\n# comment\n2\tNumPy\n1\tRequests\n3\tpython_dateutil\n3\tbad name!\n"
    assert parse_ranked_list(data) == ["requests", "numpy", "python-dateutil"]


def test_bare_names_keep_their_order_and_drop_duplicates() -> None:
    assert parse_ranked_list(b"boto3\nurllib3\nBoto3\n\n") == ["boto3", "urllib3"]


def test_the_top_pypi_packages_json_is_accepted() -> None:
    doc = {"last_update": "x", "rows": [{"project": "boto3", "download_count": 9}, {"x": 1}]}
    assert parse_ranked_list(json.dumps(doc).encode()) == ["boto3"]


def test_gzip_is_detected() -> None:
    assert parse_ranked_list(gzip.compress(b"1\tsix\n")) == ["six"]


@pytest.mark.parametrize(
    "data",
    [b"", b"\n# only a comment\n", b"{not json", b'{"rows": 3}', b"\x1f\x8bnot gzip", b"!!!\n"],
)
def test_bad_lists_are_clear_errors(data: bytes) -> None:
    with pytest.raises(NameListError) as info:
        parse_ranked_list(data)
    assert info.value.diagnostics()


def test_read_ranked_list_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NameListError, match="cannot read"):
        read_ranked_list(tmp_path / "absent.tsv")


def test_the_shipped_list_is_ranked_and_small() -> None:
    names = shipped_list()
    assert names[:3] == ["boto3", "packaging", "urllib3"]
    assert len(names) > 10_000
    data = Path(__file__).resolve().parents[3] / "src/snakewarden/names/data/popular.tsv.gz"
    assert data.stat().st_size < 300 * 1024


def test_a_refreshed_list_wins_over_the_shipped_one(tmp_path: Path) -> None:
    refreshed = tmp_path / REFRESHED_LIST
    refreshed.parent.mkdir(parents=True)
    refreshed.write_bytes(gzip.compress(b"1\tacme-widgets\n2\tsix\n"))
    checker = load_default_checker(tmp_path)
    assert len(checker) == 2
    assert checker.check("acme-widgetss").confusable
    assert not load_default_checker(tmp_path / "elsewhere").check("acme-widgetss").confusable


def test_anomaly_name_check_is_a_plain_function() -> None:
    from snakewarden.names import anomaly_name_check

    check = anomaly_name_check()
    assert check("reqeusts") == "requests"
    assert check("requests") is None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    try:
        names = parse_ranked_list(data)
    except NameListError:
        return
    assert names
    assert all(n == n.lower() and " " not in n for n in names)
