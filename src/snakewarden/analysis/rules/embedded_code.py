"""embedded-code: a plain string literal that is itself code which downloads or executes
(written to a file or handed to an interpreter later)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import DOC_SCALE, Emitter, best_per_file, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="embedded-code",
    description="a string literal holds code that downloads and/or executes something",
    severity=Severity.MEDIUM,
    category="threat.obfuscation.embedded_code",
)
_FETCH = re.compile(
    r"urlopen\(|urlretrieve\(|requests\.(get|post)\(|\bcurl\s+-|\bwget\s+https?:|"
    r"Invoke-WebRequest|DownloadString|DownloadFile",
    re.IGNORECASE,
)
_RUN = re.compile(
    r"\bexec\((?!\))|\beval\((?!\))|os\.system\(|subprocess\.\w+\(|Popen\(|os\.startfile\(|"
    r"\|\s*(ba)?sh\b|"
    r"Start-Process|\bIEX\b|chmod\s+\+x",
)
#: ``_RUN`` cannot match a text holding none of these (a cheap test before the regex).
_RUN_HINTS = ("exec(", "eval(", "system(", "subprocess.", "Popen(", "startfile(", "|",
              "Start-Process", "IEX", "chmod")  # fmt: skip
MAX_SCANNED = 200_000


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            # a docstring is only ever read through ``__doc__`` (``exec(__doc__)``)
            doc_read = any("__doc__" in (*sc.names, *sc.attrs) for sc in facts.scopes)
            for s in facts.strings:
                if len(s.value) < 30 or ("(" not in s.value and "|" not in s.value):
                    continue
                text = s.value[:MAX_SCANNED]
                if not any(h in text for h in _RUN_HINTS):
                    continue
                run = _RUN.search(text)
                if run is None:
                    continue
                fetch = _FETCH.search(text)
                if fetch:
                    base, what = 0.55, "downloads and executes"
                elif ("import " in text or "\n" in text) and len(text) > 80:
                    base, what = 0.2, "executes"
                else:
                    continue
                first = min(m.start() for m in (fetch, run) if m is not None)
                snippet = text[max(0, first - 60) : first + 120]
                message = f"a string literal holds code that {what}"
                if s.is_doc and not doc_read:
                    # documentation that shows code: nothing writes or runs it
                    base, message = base * DOC_SCALE, message + " (in a comment/docstring)"
                elif src.in_message(s.line, text[:80]):
                    # an install hint or error message shown to a person: nothing runs it
                    base, message = base * DOC_SCALE, message + " (in a message shown)"
                out.append(emit.at(src, s.line, s.scope, base, message, evidence=snippet))
        yield from best_per_file(out)


RULE = _Rule()
