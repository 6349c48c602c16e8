"""Scans in child processes: results come back, crashes and hangs are contained."""

from __future__ import annotations

import pytest

from index.packages import build_wheel, wheel_filename
from index.scanners import crashing_scan, sleepy_scan
from snakewarden.core.models import Verdict
from snakewarden.index.pipeline import ProcessScanner, ScanAborted


@pytest.mark.slow
def test_a_child_process_scans_and_survives_crashes_and_hangs() -> None:
    scanner = ProcessScanner(1, timeout=60)
    try:
        result = scanner.scan(build_wheel("swproc", "1.0"), wheel_filename("swproc", "1.0"))
        assert result.verdict is Verdict.CLEAN
    finally:
        scanner.close()
    crashing = ProcessScanner(1, target=crashing_scan)
    with pytest.raises(ScanAborted, match="process died"):
        crashing.scan(b"x", "x-1.0.tar.gz")
    crashing.close()
    sleepy = ProcessScanner(1, timeout=2, target=sleepy_scan)
    with pytest.raises(ScanAborted, match="took over 2 s"):
        sleepy.scan(b"x", "x-1.0.tar.gz")
    sleepy.close()
