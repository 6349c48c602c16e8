"""Scan targets for ``ProcessScanner`` tests (module level: child processes import them)."""

from __future__ import annotations

import os
import time

from snakewarden.core.models import ScanResult


def sleepy_scan(data: bytes, filename: str) -> ScanResult:
    time.sleep(60)
    raise AssertionError("unreachable")


def crashing_scan(data: bytes, filename: str) -> ScanResult:
    os._exit(3)
