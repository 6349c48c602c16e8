"""clipboard-screen-capture: the code reads the clipboard or takes screenshots."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="clipboard-screen-capture",
    description="reads the clipboard or captures the screen (stealers, clippers, spyware)",
    severity=Severity.MEDIUM,
    category="threat.secrets.capture",
)
_CAPTURE = frozenset(
    {
        "pyperclip.paste", "win32clipboard.GetClipboardData", "clipboard.paste",
        "PIL.ImageGrab.grab", "ImageGrab.grab", "pyautogui.screenshot", "mss.mss",
        "pyscreenshot.grab", "ctypes.windll.user32.GetClipboardData", "pynput.keyboard.Listener",
        "keyboard.on_press", "keyboard.hook", "pyHook.HookManager", "cv2.VideoCapture",
    }
)  # fmt: skip


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            for call in facts.calls:
                if call.name in _CAPTURE or call.name.endswith(".clipboard_get"):
                    out.append(  # noqa: PERF401
                        emit.at(
                            src, call.line, call.scope, 0.3, f"captures user data ({call.name})"
                        )
                    )
        yield from best_per_file(out)


RULE = _Rule()
