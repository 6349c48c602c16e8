"""The policy: its TOML form, and its decisions (pure), then enforced by the proxy over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snakewarden.core.models import Severity, Verdict
from snakewarden.proxy.checks import StaticNameChecker, StaticVulnerabilityLookup
from snakewarden.proxy.errors import PolicyError
from snakewarden.proxy.model import Action, FileVerdict, UpstreamFile
from snakewarden.proxy.policy import (
    DEFAULT_POLICY,
    ReleaseFacts,
    load_policy,
    parse_policy,
    project_decision,
    release_decision,
    verdict_decision,
)
from snakewarden.proxy.simple import JSON_V1
from snakewarden.proxy.stores import ManualClock

from .conftest import DROPPER, WHEEL, WHEEL_NEW
from .fake_index import FakeIndex

NOW = datetime(2026, 6, 1, tzinfo=UTC)
FULL = """
[scan]
malicious = "block"
suspicious = "warn"
unscannable = "block"
max-file-size-mb = 100

[names]
confusable = "block"
allow = ["reqeusts"]

[releases]
cooldown-hours = 48
block-vulnerable = "high"
require-attestations = ["Sigstore"]

[allow]
releases = ["tinyclean==1.0"]
sha256 = ["AB" ]

[deny]
releases = ["evil", "requests<2.20"]

[internal]
names = ["acme-*", "Corp_Utils"]

[projects.corp-utils]
alternate-locations = ["https://pypi.org/simple/corp-utils/"]
"""


def _file(name: str = "x-1.0.tar.gz", **kw: object) -> UpstreamFile:
    return UpstreamFile(name, "https://u.invalid/" + name, (("sha256", "a" * 64),), **kw)  # type: ignore[arg-type]


def test_full_policy_parses() -> None:
    with pytest.raises(PolicyError, match="sha256"):
        parse_policy(FULL)
    policy = parse_policy(FULL.replace('"AB" ', '"' + "ab" * 32 + '"'))
    assert policy.suspicious is Action.WARN
    assert policy.max_file_size == 100 * 1024 * 1024
    assert policy.cooldown == timedelta(hours=48)
    assert policy.block_vulnerable is Severity.HIGH
    assert policy.require_attestations == {"sigstore"}
    assert policy.allow_names == {"reqeusts"}
    assert policy.is_internal("ACME.tools")
    assert policy.is_internal("corp-utils")
    assert not policy.is_internal("acme")
    assert policy.routes("Corp_Utils").alternate_locations == (
        "https://pypi.org/simple/corp-utils/",
    )


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[scan]\nsuspicious = 'ignore'", "one of"),
        ("[scan]\nmalicious = 'warn'", "one of"),
        ("[scan]\nbogus = 1", "unknown key"),
        ("[allow]\nreleases = ['numpy']", "names no version"),
        ("[deny]\nreleases = ['not a req ===']", "not a requirement"),
        ("[releases]\ncooldown-hours = -1", "non-negative"),
        ("[projects.x]\ntracks = ['file:///etc']", "http"),
        ("[names]\nallow = 'x'", "list of strings"),
        ("[releases.attestation-publishers]\nx = 'github.com/a/b'", "repository URL"),
        ("not toml = = =", "TOML"),
        ("extra = 1", "unknown key"),
    ],
)
def test_bad_policies_are_refused_clearly(text: str, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        parse_policy(text)


def test_load_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(bad)


def test_project_decisions() -> None:
    policy = parse_policy(FULL.replace('"AB" ', ""))
    assert project_decision(policy, "evil", confusable_with=None).rule == "deny"
    assert project_decision(policy, "acme-x", confusable_with=None).rule == "internal"
    assert project_decision(policy, "reqeusts", confusable_with="requests").action is Action.ALLOW
    d = project_decision(policy, "reqests", confusable_with="requests")
    assert d.blocked
    assert "requests" in d.reason
    off = parse_policy("[names]\nconfusable = 'off'")
    assert project_decision(off, "reqests", confusable_with="requests").action is Action.ALLOW


def test_release_decisions() -> None:
    policy = parse_policy(FULL.replace('"AB" ', ""))
    young = _file("x-1.0.tar.gz", upload_time=NOW - timedelta(hours=3))
    d = release_decision(policy, ReleaseFacts("x", "1.0", young), NOW)
    assert d.rule == "cooldown"
    assert "3.0 h ago" in d.reason
    old = _file("x-1.0.tar.gz", upload_time=NOW - timedelta(days=3))
    assert release_decision(policy, ReleaseFacts("x", "1.0", old), NOW).action is Action.ALLOW
    assert release_decision(policy, ReleaseFacts("requests", "2.19.0", old), NOW).rule == "deny"
    assert (
        release_decision(policy, ReleaseFacts("requests", "2.20.0", old), NOW).action
        is Action.ALLOW
    )
    unknown = release_decision(policy, ReleaseFacts("requests", None, old), NOW)
    assert unknown.rule == "deny"  # a version we cannot read is denied when versions are
    vuln = ReleaseFacts("x", "1.0", old, vulnerabilities=(("PYSEC-1", Severity.CRITICAL),))
    assert release_decision(policy, vuln, NOW).rule == "vulnerable"
    low = ReleaseFacts(
        "x", "1.0", old, vulnerabilities=(("PYSEC-2", Severity.LOW), ("PYSEC-3", None))
    )
    assert release_decision(policy, low, NOW).action is Action.ALLOW
    anyp = parse_policy("[releases]\nblock-vulnerable = 'any'")
    assert release_decision(anyp, low, NOW).blocked
    unsigned = ReleaseFacts("sigstore", "1.0", old, attestation_ok=False)
    assert release_decision(policy, unsigned, NOW).rule == "attestation"
    waived = release_decision(policy, ReleaseFacts("tinyclean", "1.0", young), NOW)
    assert waived.action is Action.ALLOW
    assert waived.waived
    assert "allow.releases" in waived.reason


def _verdict(verdict: Verdict, score: float = 0.9) -> FileVerdict:
    return FileVerdict("a" * 64, "x-1.0.tar.gz", "x", verdict, score, ("bad thing",), NOW, "s", 1)


def test_verdict_decisions() -> None:
    assert (
        verdict_decision(DEFAULT_POLICY, "x", "1.0", _verdict(Verdict.CLEAN, 0)).action
        is Action.ALLOW
    )
    d = verdict_decision(DEFAULT_POLICY, "x", "1.0", _verdict(Verdict.MALICIOUS))
    assert d.blocked
    assert d.reason == "malicious (score 0.90): bad thing"
    assert verdict_decision(DEFAULT_POLICY, "x", "1.0", _verdict(Verdict.SUSPICIOUS, 0.6)).blocked
    assert (
        verdict_decision(DEFAULT_POLICY, "x", "1.0", _verdict(Verdict.ERROR, 0)).rule
        == "unscannable"
    )
    warn = parse_policy("[scan]\nsuspicious = 'warn'")
    assert verdict_decision(warn, "x", "1.0", _verdict(Verdict.SUSPICIOUS)).action is Action.WARN
    waiver = parse_policy(f"[allow]\nsha256 = ['{'a' * 64}']")
    d = verdict_decision(waiver, "x", "1.0", _verdict(Verdict.MALICIOUS))
    assert d.action is Action.ALLOW
    assert d.waived == ("malicious (score 0.90): bad thing",)


# -- enforced over HTTP ------------------------------------------------------------------------


def _files(proxy, name: str) -> list[dict]:
    r = httpx.get(proxy.simple + f"{name}/", headers={"Accept": JSON_V1})
    assert r.status_code == 200, r.text
    return r.json()["files"]


def test_deny_listed_release_is_marked_yanked_and_refused(run_proxy, fake_index: FakeIndex) -> None:
    fake_index.add("tinyclean", *WHEEL_NEW)
    proxy = run_proxy(parse_policy("[deny]\nreleases = ['tinyclean>=1.1']"))
    files = {f["filename"]: f for f in _files(proxy, "tinyclean")}
    new = files[WHEEL_NEW[0]]
    assert new["yanked"].startswith("blocked by snakewarden policy")
    assert new["core-metadata"] is False
    assert files[WHEEL[0]]["yanked"] is False
    r = httpx.get(new["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "deny list" in r.text
    assert fake_index.count("/packages/") == 0  # a refused release is never downloaded


def test_cooldown_uses_upload_time_and_the_clock(run_proxy, fake_index: FakeIndex) -> None:
    clock = ManualClock(NOW)
    fake_index.add("tinyclean", *WHEEL_NEW, upload_time=NOW - timedelta(hours=2))
    proxy = run_proxy(parse_policy("[releases]\ncooldown-hours = 24"), clock=clock)
    files = {f["filename"]: f for f in _files(proxy, "tinyclean")}
    assert "cool-down" in files[WHEEL_NEW[0]]["yanked"]
    r = httpx.get(files[WHEEL_NEW[0]]["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "cool-down" in str(r.url)
    clock.advance(timedelta(days=1))
    assert httpx.get(files[WHEEL_NEW[0]]["url"]).status_code == 200


def test_confusable_name_is_refused_unless_allowed(run_proxy, fake_index: FakeIndex) -> None:
    names = StaticNameChecker({"tinyclean": "tinyclear"})
    proxy = run_proxy(names=names)
    (f,) = _files(proxy, "tinyclean")
    assert f["core-metadata"] is False
    r = httpx.get(f["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "confusable" in r.text
    assert "tinyclear" in r.text
    assert fake_index.count("/packages/") == 0
    assert {e.rule for e in proxy.decisions.entries} == {"confusable-name"}
    allowed = run_proxy(parse_policy("[names]\nallow = ['tinyclean']"), names=names)
    assert httpx.get(allowed.simple + "tinyclean/").status_code == 200


def test_internal_names_never_reach_upstream(run_proxy, fake_index: FakeIndex) -> None:
    proxy = run_proxy(parse_policy("[internal]\nnames = ['tiny*', 'plain-sdist']"))
    assert httpx.get(proxy.simple + "tinyclean/", follow_redirects=True).status_code == 403
    assert httpx.get(proxy.simple + "plain-sdist/", follow_redirects=True).status_code == 403
    assert fake_index.count("/simple/") == 0
    assert proxy.decisions.entries[0].rule == "internal"


def test_pep708_exception_serves_an_internal_name_and_says_so(
    run_proxy, fake_index: FakeIndex
) -> None:
    page = fake_index.url + "tinyclean/"
    policy = parse_policy(
        f"[internal]\nnames = ['tinyclean']\n"
        f"[projects.tinyclean]\nalternate-locations = ['{page}']\n"
    )
    proxy = run_proxy(policy)
    r = httpx.get(proxy.simple + "tinyclean/", headers={"Accept": JSON_V1})
    assert r.status_code == 200
    assert r.json()["alternate-locations"] == [page]
    html = httpx.get(proxy.simple + "tinyclean/").text
    assert f'<meta name="pypi:alternate-locations" content="{page}">' in html


def test_local_projects_are_never_proxied(run_proxy, fake_index: FakeIndex) -> None:
    class Local:
        def is_local(self, name: str) -> bool:
            return name == "tinyclean"

    proxy = run_proxy(local=Local())
    r = httpx.get(proxy.simple + "tinyclean/")
    assert r.status_code == 404
    assert "dependency-confusion" in r.text
    assert fake_index.count("/simple/") == 0


def test_vulnerable_release_is_refused(run_proxy) -> None:
    vulns = StaticVulnerabilityLookup({("tinyclean", "1.0"): [("PYSEC-0000-1", Severity.HIGH)]})
    proxy = run_proxy(
        parse_policy("[releases]\nblock-vulnerable = 'medium'"), vulnerabilities=vulns
    )
    (f,) = _files(proxy, "tinyclean")
    assert "PYSEC-0000-1" in f["yanked"]
    r = httpx.get(f["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "PYSEC-0000-1" in r.text


def test_required_attestation_missing_is_refused(run_proxy, fake_index: FakeIndex) -> None:
    proxy = run_proxy(parse_policy("[releases]\nrequire-attestations = ['tinyclean']"))
    (f,) = _files(proxy, "tinyclean")
    r = httpx.get(f["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "no attestation" in r.text


def test_required_attestation_is_verified(run_proxy, fake_index: FakeIndex) -> None:
    fake_index.projects["tinyclean"][0].provenance = b'{"version": 1}'

    class Verifier:
        def __init__(self) -> None:
            self.seen: list[tuple[bytes, str]] = []

        def verify(
            self, provenance: bytes, filename: str, sha256: str, repository: str | None = None
        ) -> str | None:
            self.seen.append((provenance, filename, repository))
            return None if filename == WHEEL[0] else "wrong file"

    verifier = Verifier()
    repo = "https://github.com/example/tinyclean"
    policy = parse_policy(f"[releases.attestation-publishers]\ntinyclean = '{repo}'")
    proxy = run_proxy(policy, attestations=verifier)
    (f,) = _files(proxy, "tinyclean")
    assert f["provenance"] == f["url"] + ".provenance"
    assert httpx.get(f["url"]).status_code == 200
    assert verifier.seen == [(b'{"version": 1}', WHEEL[0], repo)]
    assert httpx.get(f["provenance"]).content == b'{"version": 1}'


def test_attestation_that_fails_verification_is_refused(run_proxy, fake_index: FakeIndex) -> None:
    fake_index.projects["tinyclean"][0].provenance = b"{}"

    class Verifier:
        def verify(
            self, provenance: bytes, filename: str, sha256: str, repository: str | None = None
        ) -> str | None:
            return "signature verification failed"

    proxy = run_proxy(
        parse_policy("[releases]\nrequire-attestations = ['tinyclean']"), attestations=Verifier()
    )
    (f,) = _files(proxy, "tinyclean")
    r = httpx.get(f["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "did not verify" in r.text


def test_suspicious_warn_serves_with_a_warning(run_proxy) -> None:
    from snakewarden.core.models import ScanResult

    from .conftest import CountingScanner

    class Suspicious(CountingScanner):
        def scan(self, data: bytes, filename: str) -> ScanResult:
            return ScanResult(filename, Verdict.SUSPICIOUS, 0.6)

    proxy = run_proxy(parse_policy("[scan]\nsuspicious = 'warn'"), scanner=Suspicious())
    (f,) = _files(proxy, "tinyclean")
    r = httpx.get(f["url"])
    assert r.status_code == 200
    assert "suspicious" in r.headers["x-snakewarden-warning"]
    assert [e.action for e in proxy.decisions.entries] == ["warn"]


def test_allow_waiver_serves_a_flagged_release(run_proxy) -> None:
    proxy = run_proxy(parse_policy("[allow]\nreleases = ['dropper-demo==0.1']"))
    (f,) = _files(proxy, "dropper-demo")
    r = httpx.get(f["url"])
    assert r.status_code == 200
    assert r.content == DROPPER[1]
    (entry,) = proxy.decisions.entries
    assert entry.action == "allow"
    assert entry.verdict == "malicious"
    assert entry.waived


def test_oversized_file_is_refused_before_download(run_proxy, fake_index: FakeIndex) -> None:
    fake_index.add("bigpkg", "bigpkg-1.0.tar.gz", b"x" * (2 * 1024 * 1024))
    proxy = run_proxy(parse_policy("[scan]\nmax-file-size-mb = 1"))
    (f,) = _files(proxy, "bigpkg")
    r = httpx.get(f["url"], follow_redirects=True)
    assert r.status_code == 403
    assert "scan limit" in r.text
    assert fake_index.count("/packages/") == 0


@given(
    st.sampled_from(["1.0", "1.0.post1", "2.0rc1", "0.9", "10.1.2", "1!2.0", "1.0.dev3"]),
    st.sampled_from(["<2", ">=1.0", "==1.0.*", "!=1.0", "~=1.0", ">0.9,<10", "===1.0"]),
)
def test_deny_matching_agrees_with_specifier_sets(version: str, spec: str) -> None:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    policy = parse_policy(f"[deny]\nreleases = ['demo{spec}']")
    denied = release_decision(policy, ReleaseFacts("demo", version, _file()), NOW).blocked
    assert denied == SpecifierSet(spec).contains(Version(version), prereleases=True)
