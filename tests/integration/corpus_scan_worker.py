"""Scan the dev corpus in memory under an audit hook; print a JSON summary on stdout.

Run by ``test_corpus_recall.py`` in a fresh interpreter (audit hooks cannot be removed). Every
snakewarden module is imported and exercised once BEFORE the hook is installed; from then on any
``exec`` of a code object, any process spawn and any import of a module whose file lies in the
corpus or temp area is refused (the hook raises, which aborts the operation) and recorded.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

from snakewarden.analysis import analyze
from snakewarden.analysis.registry import builtin_rules
from snakewarden.analysis.signatures import compiled_rules
from snakewarden.artifacts import read_artifact
from snakewarden.core.models import Verdict
from snakewarden.errors import ArtifactError

SPAWN_EVENTS = (
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "os.startfile",
)


def main(corpus: Path) -> int:
    zpath = corpus / "malicious-dev.zip"
    campaigns: dict[str, str] = {}
    with (corpus / "malicious-dev.tsv").open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            campaigns[row["path"]] = row["campaign"]

    # Warm up: load every rule, compile YARA, run a scan, so that nothing legitimate is left to
    # import or exec lazily once the hook is in place.
    builtin_rules()
    compiled_rules()
    warm = b"import os\nos.system('echo')\nexec(__import__('base64').b64decode('eA=='))\n"
    analyze(read_artifact(warm, "setup.py"), target="warm-up")

    forbidden_roots = tuple({str(corpus.resolve()), str(Path(tempfile.gettempdir()).resolve())})
    violations: list[str] = []

    # Python's own lazy imports (a codec, say) exec code objects compiled from files of the
    # interpreter or the virtual environment: those are allowed. Anything else (code compiled
    # from a string, or from a file in the corpus or temp area) is refused.
    trusted_roots = tuple(
        {str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        | {str(Path(__file__).resolve().parents[2] / "src")}
    )

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "exec":
            code = args[0] if args else None
            origin = getattr(code, "co_filename", "")
            if not (isinstance(origin, str) and origin.startswith(trusted_roots)):
                violations.append(f"exec of a code object: {args!r:.200}")
                raise RuntimeError("snakewarden audit: exec refused during the corpus scan")
        if event.startswith(SPAWN_EVENTS):
            violations.append(f"process spawn: {event} {args!r:.200}")
            raise RuntimeError("snakewarden audit: process spawn refused during the corpus scan")
        if event == "import" and len(args) > 1:
            filename = args[1]
            if isinstance(filename, str) and filename.startswith(forbidden_roots):
                violations.append(f"import of package code: {args[0]} from {filename}")
                raise RuntimeError("snakewarden audit: import of scanned code refused")

    sys.addaudithook(hook)

    per_campaign: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    errors = 0
    t0 = time.perf_counter()
    with zipfile.ZipFile(zpath) as zf:
        zf.setpassword(b"infected")
        for info in zf.infolist():
            if info.is_dir() or info.filename not in campaigns:
                continue
            data = zf.read(info)
            try:
                result = analyze(
                    read_artifact(data, Path(info.filename).name), target=info.filename
                )
                rank = result.verdict.rank
            except ArtifactError:
                errors += 1
                rank = 0
            per_campaign[campaigns[info.filename]].append(
                (rank >= Verdict.SUSPICIOUS.rank, rank >= Verdict.MALICIOUS.rank)
            )
    samples = [x for v in per_campaign.values() for x in v]

    # Canary: the hook is live and refuses code compiled from data.
    canary_refused = False
    recorded = len(violations)
    try:
        exec(compile("x = 1", "<canary>", "exec"), {})
    except RuntimeError:
        canary_refused = True
    del violations[recorded:]

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    print(
        json.dumps(
            {
                "samples": len(samples),
                "campaigns": len(per_campaign),
                "errors": errors,
                "recall": mean([float(a) for a, _ in samples]),
                "campaign_recall": mean(
                    [mean([float(a) for a, _ in v]) for v in per_campaign.values()]
                ),
                "campaign_recall_malicious": mean(
                    [mean([float(b) for _, b in v]) for v in per_campaign.values()]
                ),
                "violations": violations[:20],
                "canary_refused": canary_refused,
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
