"""``jsonl``: one record per line, written and flushed as each result arrives; ``json``: a list."""

from __future__ import annotations

import json
from typing import TextIO

from snakewarden.core.models import ScanResult
from snakewarden.report.records import result_record


def _dumps(result: ScanResult, indent: int | None = None) -> str:
    return json.dumps(result_record(result), ensure_ascii=False, indent=indent)


class JsonLinesReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def add(self, result: ScanResult) -> None:
        self.out.write(_dumps(result) + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


class JsonListReporter:
    """A JSON list of records, streamed element by element (valid JSON once closed)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def add(self, result: ScanResult) -> None:
        self.out.write("[\n" if self.count == 0 else ",\n")
        self.out.write(_dumps(result, indent=2))
        self.out.flush()
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "[]\n")
        self.out.flush()
