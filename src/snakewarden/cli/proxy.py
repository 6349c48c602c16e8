"""``snakewarden proxy``: a caching proxy of PyPI that scans every file before pip or uv gets it.

snakewarden proxy serve [--upstream URL] [--data-dir DIR] [--policy FILE] [--host H] [--port P]
snakewarden proxy decisions [--data-dir DIR] [--all] [--last N] [--format text|json]
snakewarden proxy check-policy FILE
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from snakewarden.adapters.home import home_dir
from snakewarden.errors import UsageError
from snakewarden.proxy.app import build_service, create_proxy_app
from snakewarden.proxy.interfaces import AttestationVerifier, NameChecker, VulnerabilityLookup
from snakewarden.proxy.policy import DEFAULT_POLICY, Policy, load_policy
from snakewarden.proxy.service import ProxyConfig
from snakewarden.proxy.upstream import PYPI_SIMPLE, normalize_base_url, public_url


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "proxy",
        help="a caching proxy of PyPI that blocks malicious files",
        description="A caching proxy of an upstream simple index (PyPI by default): every file "
        "is verified against upstream's sha256 and scanned before it is served; the policy "
        "decides what is refused (HTTP 403 with the reason).",
    )
    sub = parser.add_subparsers(dest="proxy_command", metavar="ACTION")

    serve = sub.add_parser("serve", help="run the proxy (pip install --index-url URL/simple/)")
    serve.add_argument(
        "--upstream", default=PYPI_SIMPLE, help=f"upstream simple index ({PYPI_SIMPLE})"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="file cache, verdicts and decisions.jsonl (default $SNAKEWARDEN_HOME/proxy)",
    )
    serve.add_argument("--policy", type=Path, default=None, help="policy TOML file")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--page-ttl", type=float, default=600.0, help="seconds a project page is cached (600)"
    )
    serve.set_defaults(func=_serve)

    decisions = sub.add_parser(
        "decisions", help="show the latest decisions of the proxy (what it refused and why)"
    )
    decisions.add_argument("--data-dir", type=Path, default=None, help="as for serve")
    decisions.add_argument("--all", action="store_true", help="include allowed files")
    decisions.add_argument("--last", type=int, default=50, help="how many (default 50)")
    decisions.add_argument("--format", choices=("text", "json"), default="text")
    decisions.set_defaults(func=_decisions)

    check = sub.add_parser("check-policy", help="validate a policy file and print its summary")
    check.add_argument("policy", type=Path)
    check.set_defaults(func=_check_policy)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def describe_policy(policy: Policy) -> list[str]:
    vuln = (
        "any known vulnerability"
        if policy.block_vulnerable_any
        else f"vulnerabilities rated {policy.block_vulnerable} or above"
        if policy.block_vulnerable
        else "off"
    )
    return [
        "malicious files: block",
        f"suspicious files: {policy.suspicious}",
        f"unscannable files: {policy.unscannable}",
        f"files over {policy.max_file_size // (1024 * 1024)} MiB: block",
        f"confusable names: {policy.confusable_names or 'off'}"
        + (f" (allowed: {', '.join(sorted(policy.allow_names))})" if policy.allow_names else ""),
        f"cool-down: {policy.cooldown.total_seconds() / 3600:g} h",
        f"block vulnerable releases: {vuln}",
        f"attestations required for: {', '.join(sorted(policy.require_attestations)) or 'none'}"
        + "".join(
            f"; {name} from {repo}" for name, repo in sorted(policy.attestation_publishers.items())
        ),
        f"deny: {', '.join(map(str, policy.deny)) or 'none'}",
        f"allow (waivers): {', '.join(map(str, policy.allow_releases)) or 'none'}"
        + (f", {len(policy.allow_sha256)} sha256" if policy.allow_sha256 else ""),
        f"internal names (never from upstream): {', '.join(policy.internal) or 'none'}",
    ]


def _check_policy(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    print(f"{args.policy}: valid")
    for line in describe_policy(policy):
        print(f"  {line}")
    return 0


_TAIL_BYTES = 16 * 1024 * 1024


def _decisions(args: argparse.Namespace) -> int:
    """Print the latest decisions; exit 1 when any of them refused a file."""
    if not 0 < args.last <= 100_000:
        raise UsageError("--last must be between 1 and 100000")
    path = (args.data_dir or home_dir() / "proxy").expanduser() / "decisions.jsonl"
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read()
    except FileNotFoundError:
        raise UsageError(f"no decision log at {path}", hint="pass the proxy's --data-dir") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    entries = []
    for line in tail.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a partial first line of the tail, or damage
        if isinstance(entry, dict) and (args.all or entry.get("action") != "allow"):
            entries.append(entry)
    entries = entries[-args.last :]
    for e in entries:
        if args.format == "json":
            print(json.dumps(e, sort_keys=True))
            continue
        what = e.get("filename") or e.get("project", "?")
        cached = " (cached)" if e.get("cached") else ""
        print(f"{str(e.get('time', '?'))[:19]}  {e.get('action', '?'):5}  {what}{cached}")
        if e.get("reason"):
            print(f"    {e['reason']}")
    return 1 if any(e.get("action") == "block" for e in entries) else 0


def optional_checks(
    policy: Policy, home: Path
) -> tuple[NameChecker | None, VulnerabilityLookup | None, AttestationVerifier | None]:
    """The checks the policy needs, from the other parts of snakewarden."""
    names: NameChecker | None = None
    if policy.confusable_names is not None:
        from snakewarden.names import load_default_checker
        from snakewarden.proxy.checks import PopularNameChecker

        names = PopularNameChecker(load_default_checker(home))
    vulns: VulnerabilityLookup | None = None
    if policy.block_vulnerable is not None or policy.block_vulnerable_any:
        from snakewarden.advisories.store import SqliteAdvisoryStore
        from snakewarden.proxy.checks import AdvisoryVulnerabilityLookup

        store = SqliteAdvisoryStore.at_home(home)
        if store.status().records == 0:
            raise UsageError(
                "the policy blocks vulnerable releases, but the advisory database is empty",
                hint="import advisories first: snakewarden db update (or db import FILE)",
            )
        vulns = AdvisoryVulnerabilityLookup(store)
    attestations: AttestationVerifier | None = None
    if policy.require_attestations:
        from snakewarden.proxy.checks import ProvenanceVerifier

        attestations = ProvenanceVerifier()
    return names, vulns, attestations


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    policy = load_policy(args.policy) if args.policy else DEFAULT_POLICY
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    if args.page_ttl < 0:
        raise UsageError("--page-ttl must not be negative")
    home = home_dir()
    data_dir = (args.data_dir or home / "proxy").expanduser()
    config = ProxyConfig(
        upstream_url=normalize_base_url(args.upstream),
        data_dir=data_dir,
        policy=policy,
        page_ttl=timedelta(seconds=args.page_ttl),
    )
    names, vulns, attestations = optional_checks(policy, home)
    app = create_proxy_app(
        config,
        build_service(config, names=names, vulnerabilities=vulns, attestations=attestations),
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(
        f"snakewarden proxy: {public_url(config.upstream_url)} -> "
        f"http://{args.host}:{args.port}/simple/ "
        f"(data in {data_dir})",
        file=sys.stderr,
    )
    for line in describe_policy(policy):
        print(f"  policy: {line}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def attach_to_index(services: Any, data_dir: Path, upstream: str, policy_path: Path | None) -> None:
    """``snakewarden serve --upstream URL [--policy FILE]``: proxy what the index does not host."""
    from snakewarden.proxy.mount import PROXY_FOLDER, attach_upstream

    policy = load_policy(policy_path) if policy_path else DEFAULT_POLICY
    names, vulns, attestations = optional_checks(policy, home_dir())
    attach_upstream(
        services,
        data_dir,
        normalize_base_url(upstream),
        policy=policy,
        names=names,
        vulnerabilities=vulns,
        attestations=attestations,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(
        f"snakewarden index: projects not hosted here come from {public_url(upstream)}, "
        f"scanned (proxy data in {data_dir / PROXY_FOLDER})",
        file=sys.stderr,
    )
