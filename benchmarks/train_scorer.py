"""Train and evaluate the learned scorer (``snakewarden.analysis.scorer_weights``).

    .venv/bin/pip install -e '.[bench]'                  # numpy, for training only
    .venv/bin/python benchmarks/train_scorer.py --rescan  # scan the corpora, cross-validate
    .venv/bin/python benchmarks/train_scorer.py --write   # ... and write the weights module

What it learns: one weight per feature of ``scoring.evidence_features`` (per file, each rule's
evidence and the strongest install- and import-time finding; package-wide, each rule's
evidence) in a logistic model over the worst file (plus ``SECOND_FILE_SHARE`` of the second
worst) and the package-wide features. Weights are kept >= 0, so a finding can only raise a score
(an attacker cannot lower it by adding code); an L2 penalty pulls them towards a noisy-OR of
the rules (weight 1 each). Rules that fire in fewer than ``MIN_SUPPORT`` training samples are
left out of the model and keep their hand-set weights.

Training data: the dev malware corpus (``/tmp/maldev``, campaigns from ``malicious-dev.tsv``;
each campaign weighs the same in total, like the campaign-mean recall we report) against popular
benign sdists, which weigh ``BENIGN_WEIGHT`` times the malware in total: the 474 of
``benign.tsv`` plus three sets of ``benchmarks/fetch_more_benign.py`` (``TRAIN_SETS``:
``benign-extra``, 600; ``benign-holdout``, 500; ``benign-train2``, 1,000). Four other sets
(``REPORT_SETS``: ``benign-final``, 400, and ``benign-fresh``, ``benign-last`` and
``benign-after``, 500 each) are used only to report the final model's false positives; see
BENCHMARKS.md for how each set was drawn. Samples are read as bytes and analysed statically,
in-process; nothing is run.

Evaluation: grouped K-fold cross-validation (``--folds``, ``--seeds``): campaigns, never single
samples, are split across folds, so each fold's figures are on campaigns the model never saw;
thresholds are chosen on the training folds only (malicious: above all but a ``MALICIOUS_FP``
share of the training benign; suspicious: above all but a ``SUSPICIOUS_FP`` share). The
hand-set noisy-OR scorer is cross-validated the same way for comparison.

The final model is trained on everything and written to ``scorer_weights.py`` with the logits
of its two thresholds, which ``scoring.calibrate`` maps onto ``SUSPICIOUS_AT`` and
``MALICIOUS_AT``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import detection_eval  # the corpus loader shared with the detection benchmark

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
CACHE = OUT / "scorer-findings.json"
WEIGHTS_MODULE = REPO / "src" / "snakewarden" / "analysis" / "scorer_weights.py"
#: benchmarks/fetch_more_benign.py's caches: more popular sdists for training, and sets used
#: for nothing but the final check.
_CACHE = Path(detection_eval.BENIGN).parent
TRAIN_SETS = (_CACHE / "benign-extra", _CACHE / "benign-holdout", _CACHE / "benign-train2")
REPORT_SETS = tuple(_CACHE / f"benign-{s}" for s in ("final", "fresh", "last", "after"))

L2 = 1e-4
#: A rule is learned only when it fires (weight >= 0.05) in at least this many training samples;
#: rarer rules keep their hand-set weights (the noisy-OR of ``scoring.hand_score``).
MIN_SUPPORT = 20
#: How much the second-worst file adds to the worst (fixed, see ``scoring.learned_score``).
SECOND_FILE_SHARE = 0.3
BENIGN_WEIGHT = 10.0
#: The suspicious threshold sits just above this share of the training benign scores (0.4%,
#: leaving room below the 1% target for unseen packages).
SUSPICIOUS_FP = 0.004
#: The malicious threshold sits ``MALICIOUS_MARGIN`` above all but a ``MALICIOUS_FP`` share of
#: the training benign logits (0: above every one of them). The margin (a logit) was chosen on
#: the ``REPORT_SETS``, see ``NOTES``.
MALICIOUS_FP = 0.0
MALICIOUS_MARGIN = 1.0
ITERATIONS = 3000

Row = dict[str, Any]


# ------------------------------------------------------------------------------------ scanning
def _scan(job: tuple[str, str]) -> Row:
    from snakewarden.analysis import analyze
    from snakewarden.artifacts import read_artifact
    from snakewarden.errors import ArtifactError

    label, path = job
    try:
        artifact = read_artifact(Path(path).read_bytes(), Path(path).name)
    except ArtifactError as exc:
        return {"label": label, "path": path, "error": str(exc), "findings": []}
    result = analyze(artifact, target=path)
    return {
        "label": label,
        "path": path,
        "findings": [
            [f.rule, f.category, str(f.severity), f.weight, str(f.phase), f.file, f.line]
            for f in result.findings
        ],
    }


def collect(jobs: list[tuple[str, str]], processes: int) -> list[Row]:
    with multiprocessing.get_context("fork").Pool(processes, maxtasksperchild=200) as pool:
        return list(pool.imap(_scan, jobs, chunksize=4))


def folder_jobs(label: str, folder: Path) -> list[tuple[str, str]]:
    if not folder.is_dir():
        return []
    return [
        (label, str(p))
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith((".tsv", ".part", ".tmp"))
    ]


# ------------------------------------------------------------------------------------ features
def findings_of(row: Row) -> list[Any]:
    from snakewarden.core.models import Finding, Phase, Severity

    return [
        Finding(
            rule=r, category=c, severity=Severity(s), message="", weight=w, phase=Phase(p),
            file=f, line=ln,
        )
        for r, c, s, w, p, f, ln in row["findings"]
    ]  # fmt: skip


@dataclass
class Data:
    names: list[str]
    rules: list[str]
    package: np.ndarray  # samples x features: package-wide features
    files: np.ndarray  # files x features: every sample's files, in sample order
    owner: np.ndarray  # files: the sample each row of ``files`` belongs to
    y: np.ndarray
    group: list[str]  # campaign, or the benign file itself
    hand: np.ndarray  # the hand-set noisy-OR score
    other: np.ndarray  # the hand-set score of the findings of rules outside the model


def featurize(rows: list[Row], rules: list[str], names: list[str] | None = None) -> Data:
    from snakewarden.analysis.scoring import evidence_features, hand_score

    feats = [evidence_features(findings_of(r), set(rules)) for r in rows]
    if names is None:
        names = sorted({k for p, fs in feats for d in (p, *fs) for k in d})
    col = {n: i for i, n in enumerate(names)}

    def vector(d: dict[str, float]) -> np.ndarray:
        v = np.zeros(len(names))
        for k, x in d.items():
            if k in col:
                v[col[k]] = x
        return v

    package = np.array([vector(p) for p, _ in feats])
    file_rows: list[np.ndarray] = []
    owner: list[int] = []
    for i, (_, fs) in enumerate(feats):
        for d in fs or [{}]:  # a sample without files still has one (empty) row
            file_rows.append(vector(d))
            owner.append(i)
    return Data(
        names=names,
        rules=rules,
        package=package,
        files=np.array(file_rows),
        owner=np.array(owner),
        y=np.array([1.0 if r["label"] == "malicious" else 0.0 for r in rows]),
        group=[r["campaign"] if r["label"] == "malicious" else "b:" + r["path"] for r in rows],
        hand=np.array([hand_score(findings_of(r)) for r in rows]),
        other=np.array(
            [hand_score([f for f in findings_of(r) if f.rule not in set(rules)]) for r in rows]
        ),
    )


def prior(names: list[str]) -> np.ndarray:
    """Weights near a noisy-OR of the rules: each rule's evidence counts once."""
    return np.array([0.0 if ":" in n else 1.0 for n in names])


def top_two(d: Data, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample: the file row with the highest weighing, the second one, and whether there
    is a second one."""
    order = np.lexsort((-s, d.owner))
    owners = d.owner[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    top = order[first]
    starts = np.flatnonzero(first)
    has_second = np.zeros(len(top), dtype=bool)
    nxt = starts + 1
    ok = nxt < len(order)
    has_second[ok] = owners[np.minimum(nxt, len(order) - 1)][ok] == owners[starts][ok]
    second = np.where(has_second, order[np.minimum(nxt, len(order) - 1)], top)
    return top, second, has_second


def logits(d: Data, w: np.ndarray, b: float) -> np.ndarray:
    s = d.files @ w
    top, second, has = top_two(d, s)
    return b + d.package @ w + s[top] + SECOND_FILE_SHARE * np.where(has, s[second], 0.0)


# ------------------------------------------------------------------------------------ training
def sample_weights(d: Data, mask: np.ndarray) -> np.ndarray:
    sizes: dict[str, int] = defaultdict(int)
    for g, m in zip(d.group, mask, strict=True):
        if m:
            sizes[g] += 1
    n_campaigns = len({g for g, m, y in zip(d.group, mask, d.y, strict=True) if m and y == 1})
    n_benign = int(((d.y == 0) & mask).sum())
    w = np.zeros(len(d.y))
    for i, (g, m, y) in enumerate(zip(d.group, mask, d.y, strict=True)):
        if m:
            w[i] = 1.0 / sizes[g] / n_campaigns if y == 1 else BENIGN_WEIGHT / n_benign
    return w


def fit(d: Data, mask: np.ndarray) -> tuple[np.ndarray, float]:
    """Non-negative logistic regression over max-pooled files, with an L2 pull towards the
    prior (Adam; the gradient flows through each sample's top two files)."""
    sw = sample_weights(d, mask)
    w0 = prior(d.names)
    w, b = w0.copy(), -3.0
    m1, m2 = np.zeros(len(w) + 1), np.zeros(len(w) + 1)
    total = sw.sum()
    for t in range(1, ITERATIONS + 1):
        s = d.files @ w
        top, second, has = top_two(d, s)
        z = b + d.package @ w + s[top] + SECOND_FILE_SHARE * np.where(has, s[second], 0.0)
        g = (1.0 / (1.0 + np.exp(-z)) - d.y) * sw
        gw = (
            d.package.T @ g
            + d.files[top].T @ g
            + SECOND_FILE_SHARE * (d.files[second].T @ (g * has))
        )
        grad = np.concatenate([gw / total + L2 * (w - w0), [g.sum() / total]])
        m1 = 0.9 * m1 + 0.1 * grad
        m2 = 0.999 * m2 + 0.001 * grad * grad
        step = 0.05 * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
        w = np.maximum(w - step[:-1], 0.0)
        b -= float(step[-1])
    return w, b


def thresholds(
    z: np.ndarray, d: Data, mask: np.ndarray, margin: float = MALICIOUS_MARGIN
) -> tuple[float, float]:
    """(suspicious, malicious) thresholds on the scores ``z`` of the benign samples in ``mask``."""
    benign = np.sort(z[(d.y == 0) & mask])[::-1]
    k = min(len(benign) - 1, round(SUSPICIOUS_FP * len(benign)))
    j = min(len(benign) - 1, math.floor(MALICIOUS_FP * len(benign)))
    return float(benign[k]) + 1e-6, float(benign[j]) + margin


def uncalibrate(y: float, base: float, ts: float, tm: float) -> float:
    """The logit that ``scoring.calibrate`` maps onto the score ``y`` (its inverse)."""
    from snakewarden.analysis.scoring import MALICIOUS_AT, SUSPICIOUS_AT

    if y <= 0.0:
        return base
    if y <= SUSPICIOUS_AT:
        return base + (ts - base) * y / SUSPICIOUS_AT
    slope = (MALICIOUS_AT - SUSPICIOUS_AT) / (tm - ts)
    if y <= MALICIOUS_AT:
        return ts + (y - SUSPICIOUS_AT) / slope
    room = 1.0 - MALICIOUS_AT
    return tm - room / slope * math.log(max(1.0 - y, 1e-12) / room)


def end_to_end(
    z: np.ndarray, d: Data, mask: np.ndarray, base: float
) -> tuple[np.ndarray, float, float]:
    """Thresholds on the scanner's real score: the calibrated learned score joined (noisy-OR)
    with the hand-set score of the other rules' findings. Each sample's final score is mapped
    back to the logit that alone would give it, and thresholds are chosen again on those, until
    they settle. Returns (effective logits, ts, tm)."""
    from snakewarden.analysis.scoring import calibrate

    ts, tm = thresholds(z, d, mask)
    ze = z
    for _ in range(6):
        final = [
            1.0 - (1.0 - calibrate(zi, base, ts, tm)) * (1.0 - hi)
            for zi, hi in zip(z, d.other, strict=True)
        ]
        ze = np.array([uncalibrate(y, base, ts, tm) for y in final])
        ts, tm = thresholds(ze, d, mask)
    return ze, ts, tm


def metrics(z: np.ndarray, d: Data, mask: np.ndarray, ts: float, tm: float) -> dict[str, float]:
    per: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    benign: list[tuple[bool, bool]] = []
    for i in np.flatnonzero(mask):
        hit = (bool(z[i] >= ts), bool(z[i] >= tm))
        (per[d.group[i]].append(hit) if d.y[i] == 1 else benign.append(hit))
    return {
        "recall_sus": float(np.mean([np.mean([a for a, _ in v]) for v in per.values()])),
        "recall_mal": float(np.mean([np.mean([b for _, b in v]) for v in per.values()])),
        "fpr_sus": float(np.mean([a for a, _ in benign])),
        "fpr_mal": float(np.mean([b for _, b in benign])),
    }


def cross_validate(d: Data, folds: int, seeds: int) -> dict[str, dict[str, float]]:
    out: dict[str, list[dict[str, float]]] = {"learned": [], "hand": []}
    for seed in range(1, seeds + 1):
        groups = sorted(set(d.group))
        random.Random(seed).shuffle(groups)
        fold_of = {g: i % folds for i, g in enumerate(groups)}
        fold = np.array([fold_of[g] for g in d.group])
        for k in range(folds):
            train, test = fold != k, fold == k
            w, b = fit(d, train)
            z = logits(d, w, b)
            ze, ts, tm = end_to_end(z, d, train, b)
            out["learned"].append(metrics(ze, d, test, ts, tm))
            out["hand"].append(metrics(d.hand, d, test, *thresholds(d.hand, d, train, margin=0.01)))
    return {k: {m: float(np.mean([r[m] for r in v])) for m in v[0]} for k, v in out.items()}


# ------------------------------------------------------------------------------------ output
def weights_module(d: Data, w: np.ndarray, b: float, ts: float, tm: float, summary: str) -> str:
    lines = [
        '"""Weights of the learned scorer (see ``scoring.py``).',
        "",
        "Generated by ``benchmarks/train_scorer.py --write``; do not edit by hand.",
        "",
        *summary.splitlines(),
        '"""',
        "",
        "#: The rules the model was trained on; findings of other rules are combined by the",
        "#: hand-set noisy-OR and joined to the learned score.",
        "RULES = frozenset(",
        "    {",
        *[f'        "{r}",' for r in d.rules],
        "    }",
        ")",
        f"BIAS = {b:.4f}",
        "#: The logits of the chosen operating points: score SUSPICIOUS_AT and MALICIOUS_AT.",
        f"SUSPICIOUS_LOGIT = {ts:.4f}",
        f"MALICIOUS_LOGIT = {tm:.4f}",
        f"SECOND_FILE_SHARE = {SECOND_FILE_SHARE}",
        "WEIGHTS = {",
        *[f'    "{n}": {v:.4f},' for n, v in zip(d.names, w, strict=True) if v > 1e-4],
        "}",
        "",
    ]
    return "\n".join(lines)


NOTES = (
    "Figures are of the scanner's final score (the learned score joined by noisy-OR with "
    "the hand-set score of rules outside the model); the scanner section above measures the "
    "same through the CLI. Honesty notes: the training benign sets were also used to fix "
    "rules, so cross-validation on them is optimistic for false positives; the never-trained "
    "sets are the better estimate. `MALICIOUS_FP` stays 0 (the malicious threshold sits above "
    "every training benign). `MALICIOUS_MARGIN` (1.0 logit above the highest training benign) "
    "was chosen on the 1,900 never-trained sdists in an earlier session (0.25: 12 of them "
    "malicious; 0.5: 8; 1.0: 5; 2.0: 4), which makes them a validation set for that one "
    "number. Precision fixes of earlier sessions were found on them, on `benign-next` and on "
    "`benign-s71`, `benign-s81` and `benign-s91` (looked at after their first measurement), "
    "so those are validation sets too. The 500 `benign-s101` sdists (scanner section) were "
    "fetched before and first measured after the last change of the session that trained "
    "this model: they are the untouched estimate. "
    "The sets are fetched anew on each machine (the latest release of each drawn project), "
    "so some packages are newer releases than the ones earlier sessions measured."
)


def write_section(summary: str, top: list[tuple[str, float]]) -> None:
    """Replace the learned-scorer section of BENCHMARKS.md (atomically)."""
    path = REPO / "BENCHMARKS.md"
    head = "## Detection engine: learned scorer\n"
    body = (
        "\n```sh\n.venv/bin/pip install -e '.[bench]'\n"
        ".venv/bin/python benchmarks/train_scorer.py --rescan --write\n```\n\n"
        "In-process `read_artifact` + `analyze` over every file (pool of 2), then training and "
        "cross-validation as described in the script's docstring. Machine: 2 cores, Linux "
        "x86_64, CPython 3.11.\n\n"
        + summary
        + "\n\n"
        + NOTES
        + "\n\nHeaviest weights (logit per unit of evidence): "
        + ", ".join(f"`{n}` {v:.2f}" for n, v in top)
        + ".\n\n"
    )
    text = path.read_text()
    if head in text:
        start = text.index(head) + len(head)
        nxt = text.find("\n## ", start)
        end = nxt + 1 if nxt >= 0 else len(text)
        new = text[:start] + body + text[end:]
    else:
        anchor = text.index("## Names, metadata and release history")
        new = text[:anchor] + head + body + text[anchor:]
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(new)
    tmp.replace(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rescan", action="store_true", help="scan the corpora again (else cached)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="write scorer_weights.py")
    args = ap.parse_args()

    if args.rescan or not CACHE.exists():
        jobs, campaigns = detection_eval.load_jobs(None)
        for folder in TRAIN_SETS:
            jobs += folder_jobs("benign", folder)
        for folder in REPORT_SETS:
            jobs += folder_jobs("holdout", folder)
        t0 = time.perf_counter()
        rows = collect(jobs, args.jobs)
        for r in rows:
            r["campaign"] = campaigns.get(r["path"], "")
        OUT.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(rows))
        print(f"scanned {len(rows)} files in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = json.loads(CACHE.read_text())
    train_rows = [r for r in rows if r["label"] in ("malicious", "benign")]
    extra_rows = [r for r in rows if r["label"] == "holdout"]
    support: dict[str, int] = defaultdict(int)
    for r in train_rows:
        for rule in {f[0] for f in r["findings"] if f[3] >= 0.05}:
            support[rule] += 1
    rules = sorted(rule for rule, n in support.items() if n >= MIN_SUPPORT)
    d = featurize(train_rows, rules)
    n_campaigns = len({g for g, y in zip(d.group, d.y, strict=True) if y == 1})
    print(
        f"{int(d.y.sum())} malicious samples ({n_campaigns} campaigns), "
        f"{int((d.y == 0).sum())} benign; {len(d.names)} features over {len(rules)} rules"
    )

    cv = cross_validate(d, args.folds, args.seeds)
    everything = np.ones(len(d.y), dtype=bool)
    w, b = fit(d, everything)
    z = logits(d, w, b)
    z, ts, tm = end_to_end(z, d, everything, b)
    final = metrics(z, d, everything, ts, tm)

    def fmt(m: dict[str, float]) -> str:
        return (
            f"campaign recall {m['recall_sus']:.3f} suspicious+ / {m['recall_mal']:.3f} "
            f"malicious; FPR {m['fpr_sus']:.2%} / {m['fpr_mal']:.2%}"
        )

    summary = [
        f"Trained {time.strftime('%Y-%m-%d')} on {int(d.y.sum())} malicious samples "
        f"({n_campaigns} campaigns) and {int((d.y == 0).sum())} popular sdists.",
        f"Grouped {args.folds}-fold CV by campaign, {args.seeds} seeds, thresholds chosen on "
        "the training folds:",
        f"- learned: {fmt(cv['learned'])}",
        f"- hand-set noisy-OR: {fmt(cv['hand'])}",
        "On the training data:",
        f"- {fmt(final)}.",
    ]
    if extra_rows:
        dx = featurize(extra_rows, rules, d.names)
        from snakewarden.analysis.scoring import calibrate

        zx = np.array(
            [
                uncalibrate(1.0 - (1.0 - calibrate(zi, b, ts, tm)) * (1.0 - hi), b, ts, tm)
                for zi, hi in zip(logits(dx, w, b), dx.other, strict=True)
            ]
        )
        sus = [(extra_rows[i]["path"], zx[i]) for i in np.flatnonzero(zx >= ts)]
        n_mal = int((zx >= tm).sum())
        summary.append(
            f"On {len(extra_rows)} other popular sdists never used in training "
            "(see the notes below):\n"
            f"- {len(sus)} suspicious or worse ({len(sus) / len(extra_rows):.2%}), "
            f"{n_mal} malicious ({n_mal / len(extra_rows):.2%})."
        )
        for path, s in sorted(sus, key=lambda t: -t[1]):
            print(f"  extra flagged: {Path(path).name} {s:.3f}", file=sys.stderr)
    text = "\n".join(summary)
    print(text)
    top = sorted(zip(d.names, w, strict=True), key=lambda t: -t[1])[:15]
    print("heaviest weights: " + ", ".join(f"{n} {v:.2f}" for n, v in top))
    if args.write:
        WEIGHTS_MODULE.write_text(weights_module(d, w, b, ts, tm, text))
        print(f"wrote {WEIGHTS_MODULE.relative_to(REPO)}")
        write_section(text, top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
