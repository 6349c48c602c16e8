"""bundled-executable: a native program (PE, ELF, Mach-O by magic bytes) inside the package."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext, make_finding
from snakewarden.analysis.rule import RuleMeta
from snakewarden.artifacts.model import ArtifactKind, Member
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="bundled-executable",
    description="ships a native executable (PE, ELF or Mach-O), worse when its name hides it",
    severity=Severity.MEDIUM,
    category="threat.payload.executable",
)
_NATIVE_SUFFIXES = frozenset(
    {
        ".exe",
        ".dll",
        ".so",
        ".pyd",
        ".dylib",
        ".bin",
        ".node",
        ".o",
        ".a",
        ".lib",
        ".sys",
        ".elf",
        ".out",
        ".bundle",
        ".mexa64",
    }
)


def native_kind(data: bytes) -> str | None:
    """PE, ELF or Mach-O from the magic bytes, else None."""
    if data[:2] == b"MZ" and len(data) >= 0x40:
        pe = int.from_bytes(data[0x3C:0x40], "little")
        if pe + 4 <= len(data) and data[pe : pe + 4] == b"PE\x00\x00":
            return "PE"
        return "PE" if pe + 4 > len(data) and pe < 0x10000 else None
    if data[:4] == b"\x7fELF":
        return "ELF"
    if data[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
    ):
        return "Mach-O"
    if data[:4] == b"\xca\xfe\xba\xbe" and len(data) >= 8 and int.from_bytes(data[4:8], "big") < 40:
        return "Mach-O"  # fat binary (Java class files have a version number > 40 here)
    return None


def _native_name(m: Member) -> bool:
    name = m.name.lower()
    return m.suffix in _NATIVE_SUFFIXES or ".so." in name or "." not in name


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        wheel = ctx.artifact.kind in (ArtifactKind.WHEEL, ArtifactKind.EGG)
        plain: list[Finding] = []
        for m in ctx.artifact.members:
            kind = native_kind(m.data[:4096])
            if kind is None:
                continue
            if _native_name(m):
                if wheel and m.suffix in (".so", ".pyd", ".dylib", ".dll"):
                    continue  # compiled extensions are what binary wheels are for
                base = 0.12 if m.suffix != ".exe" else 0.15
                msg = f"ships a {kind} executable"
            else:
                base = 0.55
                msg = f"ships a {kind} executable disguised as {m.suffix or 'a data file'}"
            f = make_finding(
                META.id,
                META.category,
                META.severity,
                msg,
                file=m.path,
                line=0,
                evidence=f"{m.path} ({m.size} bytes, {kind})"[:200],
                base=base,
                phase=Phase.NONE,
                role="data",
                floor=1.0,
            )
            if _native_name(m):
                plain.append(f)
            else:
                yield f
        if plain:
            # Normally named programs (launchers, vendored tools) count once for the package.
            top = max(plain, key=lambda f: f.weight)
            more = f" (and {len(plain) - 1} more)" if len(plain) > 1 else ""
            yield Finding(
                rule=top.rule,
                category=top.category,
                severity=top.severity,
                message=top.message + more,
                file=top.file,
                line=0,
                evidence=top.evidence,
                weight=top.weight,
                phase=top.phase,
            )


RULE = _Rule()
