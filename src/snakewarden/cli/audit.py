"""``snakewarden audit``: known vulnerabilities and known-malicious releases in what you install.

Exit codes:
  0  every dependency was checked and nothing was found
  1  findings: a vulnerability, a known-malicious release, a confusable name, a scan verdict
     (takes precedence: errors are still listed, and both codes fail CI)
  2  something could not be checked (unpinned line, URL/VCS/editable line, failed online
     look-up or download, unreadable include…), or a usage/input/I/O error. Never a silent pass.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snakewarden.errors import OsvError, UsageError

if TYPE_CHECKING:
    from snakewarden.audit.auditor import NameCheck
    from snakewarden.audit.model import AuditReport, Dependency, InputSet

FORMATS = ("table", "json", "sarif", "cyclonedx")
STALE_AFTER = timedelta(days=14)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="find known vulnerabilities and malicious releases in dependencies",
        description=(
            "Check every pinned dependency against the local OSV advisory database (import it "
            "with `snakewarden db update` or `snakewarden db import FILE`): known "
            "vulnerabilities (with the smallest version fixing all of them), known-malicious "
            "releases (OSV MAL- records), confusable names and, with --scan, the scanner's "
            "verdict on the downloaded release. Inputs: requirements files, lock files "
            "(pylock.toml, uv.lock, poetry.lock, Pipfile.lock), pyproject.toml, or an installed "
            "environment (default: this interpreter's). Lines that cannot be checked (unpinned, "
            "URL, VCS, editable) are reported as errors, never skipped quietly."
        ),
        epilog=(
            "exit codes: 0 clean, 1 findings (first), 2 something could not be checked or "
            "usage/input error"
        ),
    )
    parser.add_argument(
        "-r", "--requirement", metavar="FILE", type=Path, action="append", default=[],
        help="a requirements file (its -r/-c includes are followed); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "-l", "--lock", metavar="FILE", type=Path, action="append", default=[],
        help="pylock.toml, uv.lock, poetry.lock or Pipfile.lock; repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--pyproject", metavar="FILE", type=Path, action="append", default=[],
        help="pyproject.toml: [project] dependencies, extras and dependency groups",
    )  # fmt: skip
    parser.add_argument(
        "--env", action="store_true", help="the distributions installed for this interpreter"
    )
    parser.add_argument(
        "--python", metavar="PATH", type=Path,
        help="the distributions of another interpreter (also its environment for markers)",
    )  # fmt: skip
    parser.add_argument("-f", "--format", choices=FORMATS, default="table")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write the report here")
    parser.add_argument(
        "--fix", action="store_true",
        help="rewrite requirements files to the smallest versions that fix all advisories",
    )  # fmt: skip
    parser.add_argument(
        "--ignore-vuln", metavar="ID", action="append", default=[],
        help="leave out an advisory (any of its ids or aliases); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--require-hashes", action="store_true",
        help="treat pinned requirements without --hash as errors (as pip --require-hashes does)",
    )  # fmt: skip
    parser.add_argument(
        "--skip-editable", action="store_true",
        help="accept editable (-e) lines as skipped instead of failing on them",
    )  # fmt: skip
    parser.add_argument(
        "--online", action="store_true",
        help="also ask the index's JSON API for each release's vulnerabilities",
    )  # fmt: skip
    parser.add_argument(
        "--osv-url", metavar="URL",
        help="also ask this OSV-compatible query API (e.g. http://HOST:PORT/v1/query of "
        "`snakewarden db serve`, or https://api.osv.dev/v1/query)",
    )  # fmt: skip
    parser.add_argument(
        "--index-url", metavar="URL", default=None,
        help="index for --scan downloads and --online (default: https://pypi.org/simple/, "
        "https://pypi.org/pypi)",
    )  # fmt: skip
    parser.add_argument(
        "--scan", action="store_true",
        help="download each pinned release, verify its digest, and run the malware scanner",
    )  # fmt: skip
    parser.add_argument(
        "--no-names", action="store_true", help="do not check names for confusable look-alikes"
    )
    parser.add_argument(
        "--db", metavar="PATH", type=Path,
        help="advisory database (default: $SNAKEWARDEN_HOME/advisories.db)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, help="network timeout (seconds)")
    parser.set_defaults(func=run)


def _inputs(args: argparse.Namespace) -> InputSet:
    from snakewarden.audit.auditor import merge_inputs

    parts: list[InputSet] = []
    env: dict[str, str] | None = None  # None: this interpreter's, computed when needed
    if args.python is not None:
        from snakewarden.audit.environment import python_environment

        installed, env = python_environment(args.python)
        parts.append(installed)
    no_files = not (args.requirement or args.lock or args.pyproject)
    if args.env or (no_files and args.python is None):
        from snakewarden.audit.environment import current_environment

        if not args.env:
            print("snakewarden: no input given: auditing this interpreter's environment",
                  file=sys.stderr)  # fmt: skip
        parts.append(current_environment())
    if args.requirement:
        from snakewarden.audit.requirements import read_requirements

        parts.extend(
            read_requirements(path, environment=env, skip_editable=args.skip_editable)
            for path in args.requirement
        )
    if args.lock or args.pyproject:
        from snakewarden.audit.lockfiles import read_lock, read_pyproject

        parts.extend(read_lock(path, environment=env) for path in args.lock)
        parts.extend(read_pyproject(path, environment=env) for path in args.pyproject)
    return merge_inputs(parts)


def _name_check(enabled: bool, deps: tuple[Dependency, ...]) -> NameCheck | None:
    """The confusable-name check; the checker is only built when a name is not popular."""
    if not enabled:
        return None
    import gzip
    import importlib.util

    from snakewarden.adapters.home import home_dir
    from snakewarden.audit.model import AuditFinding, FindingKind

    home = home_dir()
    if not (home / "names" / "popular.tsv.gz").is_file():  # names.loader.REFRESHED_LIST
        # Read the shipped list without importing snakewarden.names (which costs ~0.2 s).
        spec = importlib.util.find_spec("snakewarden.names")
        folder = Path(next(iter(spec.submodule_search_locations or ()))) if spec else None
        if folder is None:  # pragma: no cover - the package is always there
            raise OsvError("snakewarden.names is missing")
        data = (folder / "data" / "popular.tsv.gz").read_bytes()
        # Lines are "rank<TAB>canonical-name"; a substring test per name is all that is needed.
        text = gzip.decompress(data).decode("utf-8", "replace").lower() + "\n"
        if all(f"\t{d.name}\n" in text for d in deps):
            return None  # popular names are never confusable: skip building the checker
    from snakewarden.names import load_default_checker

    checker = load_default_checker(home)

    def check(dep: Dependency) -> AuditFinding | None:
        verdict = checker.check(dep.name)
        if not verdict.confusable:
            return None
        return AuditFinding(
            kind=FindingKind.CONFUSABLE,
            id="name-confusion",
            title=f"the name {dep.name!r} imitates the popular project "
            f"{verdict.similar_to[0]!r} ({', '.join(verdict.kinds)})",
            severity="high" if verdict.score >= 0.85 else "medium",
        )

    return check


def _render(report: AuditReport, fmt: str, to_terminal: bool) -> str:
    if fmt == "json":
        from snakewarden.report.audit_json import render_json

        return render_json(report)
    if fmt == "sarif":
        from snakewarden.report.audit_sarif import render_sarif

        return render_sarif(report, base=Path.cwd())
    if fmt == "cyclonedx":
        from snakewarden.report.cyclonedx import render_cyclonedx

        stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return render_cyclonedx(report, serial=f"urn:uuid:{uuid.uuid4()}", timestamp=stamp)
    from snakewarden.report.audit_table import render_table

    return render_table(report, color=to_terminal)


def run(args: argparse.Namespace) -> int:
    from snakewarden.adapters.home import home_dir
    from snakewarden.advisories.store import DB_FILENAME, SqliteAdvisoryStore
    from snakewarden.audit.auditor import AuditOptions, OnlineLookup, ReleaseScanner, audit

    if args.online and args.osv_url:
        raise UsageError("choose one remote source: --online (the index) or --osv-url")
    if args.fix and not args.requirement:
        raise UsageError("--fix rewrites requirements files: give at least one -r FILE")
    inputs = _inputs(args)
    db_path = args.db if args.db is not None else home_dir() / DB_FILENAME
    if args.db is not None and not db_path.exists():
        raise UsageError(f"--db {db_path} does not exist")
    store = SqliteAdvisoryStore(db_path)
    closers: list[Any] = [store]
    try:
        status = store.status()
        remote = args.online or bool(args.osv_url)
        if status.records == 0 and not remote:
            raise OsvError(
                f"the advisory database {db_path} is empty: nothing could be checked",
                hint="run `snakewarden db update` (or `snakewarden db import FILE`), "
                "or pass --online / --osv-url",
            )
        try:
            last = datetime.fromisoformat(status.last_import.replace("Z", "+00:00"))
        except ValueError:
            last = None
        if last is not None and datetime.now(UTC) - last > STALE_AFTER:
            print(
                f"snakewarden: warning: the advisory database was last updated "
                f"{status.last_import}; run `snakewarden db update`",
                file=sys.stderr,
            )
        online: OnlineLookup | None = None
        scanner: ReleaseScanner | None = None
        if remote or args.scan:
            import httpx

            from snakewarden import __version__

            client = httpx.Client(
                timeout=httpx.Timeout(args.timeout, connect=10.0),
                follow_redirects=True,
                headers={"User-Agent": f"snakewarden/{__version__}"},
            )
            closers.append(client)
            if args.osv_url:
                from snakewarden.advisories.online import OsvQueryClient

                online = OsvQueryClient(client, args.osv_url)
            if args.online:
                from snakewarden.advisories.online import DEFAULT_JSON_API, PypiVulnerabilityClient

                api = DEFAULT_JSON_API
                if args.index_url:
                    api = args.index_url.rstrip("/").removesuffix("/simple") + "/pypi"
                online = PypiVulnerabilityClient(client, api)
            if args.scan:
                from snakewarden.adapters.pypi import PyPIClient
                from snakewarden.audit.scan import IndexReleaseScanner

                index = PyPIClient(args.index_url or "https://pypi.org/simple/", client=client)
                scanner = IndexReleaseScanner(index)
        report = audit(
            inputs,
            store,
            options=AuditOptions(
                ignore=frozenset(args.ignore_vuln), require_hashes=args.require_hashes
            ),
            online=online,
            name_check=_name_check(not args.no_names, inputs.dependencies),
            scanner=scanner,
            database={
                "path": str(db_path),
                "records": str(status.records),
                "last_import": status.last_import,
            },
        )
    finally:
        for obj in closers:
            obj.close()
    to_terminal = args.output is None and sys.stdout.isatty()
    text = _render(report, args.format, to_terminal)
    if args.output is not None:
        from snakewarden.adapters.files import write_atomic

        try:
            write_atomic(args.output, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    else:
        sys.stdout.write(text)
    if args.format != "table":
        from snakewarden.report.audit_table import summary_line

        print(summary_line(report), file=sys.stderr)
    if args.fix:
        from snakewarden.audit.fix import apply_fixes

        for outcome in apply_fixes(report):
            if outcome.applied:
                print(f"fixed: {outcome.dependency.label} -> {outcome.new} "
                      f"({outcome.dependency.origin})", file=sys.stderr)  # fmt: skip
            else:
                print(f"not fixed: {outcome.dependency.label} ({outcome.dependency.origin}): "
                      f"{outcome.reason}", file=sys.stderr)  # fmt: skip
    return report.exit_code
