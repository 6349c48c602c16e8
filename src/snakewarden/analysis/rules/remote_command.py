"""remote-command: commands received over the network are run (a bot or socket backdoor).

A chat bot's handlers receive messages from whoever writes to the bot (``@bot.message_handler``,
discord.py's ``on_message`` and ``@bot.command()``, handlers given to ``CommandHandler`` /
``MessageHandler``): their parameters are data from the network, and so is what a socket's
``recv`` returns. When such data is the command of a program run (``subprocess``,
``os.system``: the command line, the program, or what a shell or interpreter is given) or the
code of ``exec``/``eval``, whoever talks to the bot or socket runs commands on the machine:
remote control, the core of a RAT. Data given as an argument to a fixed program (``["git",
"checkout", tag]``) commands nothing. The reply to a request is no source here: exec of
downloaded code is ``download-execute``'s, and popular packages run code and commands built
from the replies of services they query. Data flow by ``rules/_flow.py``, within the handler
(or the unit that receives); "command" decorators count only in files that import a chat-bot
library (``click``'s ``@cli.command()`` takes arguments from the command line, not the network).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import EXEC_CALLS, ScanContext, SourceFile
from snakewarden.analysis.facts import Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, is_process_name, parsed
from snakewarden.analysis.rules._flow import MAX_FUNCTIONS, Flow, param_names, taint_flow, walk
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="remote-command",
    description="runs commands received over the network (a chat bot's messages, a socket)",
    severity=Severity.CRITICAL,
    category="threat.backdoor.remote_command",
)

#: Chat-bot libraries: in a file importing one, a ``command`` decorator makes a chat command.
BOT_MODULES = frozenset(
    {"telebot", "telegram", "discord", "telethon", "aiogram", "pyrogram", "slack_bolt", "nextcord",
     "interactions", "disnake", "vk_api", "twitchio"}
)  # fmt: skip
#: Decorators (by their last name) that register a handler of incoming messages in any file.
_MESSAGE_DECORATORS = frozenset(
    {"message_handler", "callback_query_handler", "channel_post_handler",
     "edited_message_handler", "inline_handler", "on_message"}
)  # fmt: skip
#: ... and those that do so in a file importing a chat-bot library.
_BOT_DECORATORS = frozenset({"command", "on", "event", "slash_command", "hybrid_command"})
#: Handler registrations that take the handler function as an argument.
_REGISTRARS = frozenset(
    {"CommandHandler", "MessageHandler", "CallbackQueryHandler", "register_message_handler",
     "add_event_handler"}
)  # fmt: skip
#: Calls whose result is data received from a socket.
_RECEIVE = frozenset({"recv", "recvfrom", "recv_into", "recvmsg"})
#: Keywords that carry a process call's command (``subprocess.run(args=...)``).
_COMMAND_KEYWORDS = frozenset({"args", "cmd", "command", "source"})
#: Shells and interpreters: whatever they are given is code.
_INTERPRETER = re.compile(r"(ba|z|da|k)?sh|cmd(\.exe)?|powershell(\.exe)?|pwsh|python[0-9.]*w?")


def _sink(name: str) -> bool:
    return is_process_name(name) or name in EXEC_CALLS


def _received(node: ast.Call, name: str) -> bool:
    """Data from the network: what a socket receives."""
    return name.rsplit(".", 1)[-1] in _RECEIVE


def _handlers(flow: Flow, facts: Facts) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The file's functions that handle incoming chat messages."""
    bot = any(m.split(".", 1)[0] in BOT_MODULES for m in facts.modules)
    registered = {
        a.id
        for n in walk(flow.tree)
        if isinstance(n, ast.Call) and flow.name_of(n).rsplit(".", 1)[-1] in _REGISTRARS
        for a in (*n.args, *(k.value for k in n.keywords))
        if isinstance(a, ast.Name)
    }
    out: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for d in walk(flow.tree):
        if not isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = {
            dotted(deco.func if isinstance(deco, ast.Call) else deco).rsplit(".", 1)[-1]
            for deco in d.decorator_list
        }
        if (
            names & _MESSAGE_DECORATORS
            or (bot and (names & _BOT_DECORATORS or d.name == "on_message"))
            or d.name in registered
        ):
            out.append(d)
        if len(out) >= MAX_FUNCTIONS:
            break
    return out


def _runs(flow: Flow, unit: ast.AST, names: set[str]) -> ast.Call | None:
    """The first program run or exec in ``unit`` whose command (or code) is tainted data."""
    for n in walk(unit):
        if isinstance(n, ast.Call) and _sink(flow.name_of(n)):
            command = n.args[0] if n.args else None
            if command is None:
                command = next((k.value for k in n.keywords if k.arg in _COMMAND_KEYWORDS), None)
            if command is not None and _commands(flow, command, names):
                return n
    return None


def _commands(flow: Flow, command: ast.expr, names: set[str]) -> bool:
    """Tainted data is the command: the whole command line, the program of an argument
    vector, or anything given to a shell or interpreter (``["bash", "-c", data]``). Data as
    an argument of a fixed program (``["git", "checkout", tag]``) commands nothing."""
    if not isinstance(command, ast.List | ast.Tuple):
        return flow.tainted(command, names)
    if not command.elts:
        return False
    program = command.elts[0]
    if flow.tainted(program, names):
        return True
    word = program.value if isinstance(program, ast.Constant) else ""
    return (
        isinstance(word, str)
        and bool(_INTERPRETER.fullmatch(word.rsplit("/", 1)[-1].lower()))
        and any(flow.tainted(e, names) for e in command.elts[1:])
    )


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            if not any(_sink(c.name) for c in facts.calls):
                continue
            sources = [c for c in facts.calls if _received(c.node, c.name)]
            decorated = any(m.split(".", 1)[0] in BOT_MODULES for m in facts.modules) or any(
                d.rsplit(".", 1)[-1] in _MESSAGE_DECORATORS for d, _line, _scope in facts.decorators
            )
            registers = any(c.name.rsplit(".", 1)[-1] in _REGISTRARS for c in facts.calls)
            if not (sources or decorated or registers):
                continue
            flow = taint_flow(src, _received)
            if flow is None:
                continue
            for d in _handlers(flow, facts):
                names = flow.taint(d, into_functions=True, seed=param_names(d))
                run = _runs(flow, d, names)
                if run is not None:
                    out.append(self._finding(emit, src, facts, run, "a chat message"))
            done: set[int] = set()
            for c in sources:
                top = facts.top_function(c.scope)
                if top in done:
                    continue
                done.add(top)
                unit, names = flow.unit(facts.scopes[top].line if top else 0, whole_file=False)
                run = _runs(flow, unit, names)
                if run is not None:
                    out.append(self._finding(emit, src, facts, run, "a socket"))
        yield from best_per_file(out)

    @staticmethod
    def _finding(
        emit: Emitter, src: SourceFile, facts: Facts, run: ast.Call, where: str
    ) -> Finding:
        name = facts.resolve(dotted(run.func))
        # the flow's tree is a parse of its own: its call is found among the facts' by place
        scope = next(
            (
                c.scope
                for c in facts.calls
                if c.line == run.lineno and c.node.col_offset == run.col_offset
            ),
            0,
        )
        return emit.at(src, run.lineno, scope, 0.8, f"runs what {where} sends ({name})", floor=0.6)


RULE = _Rule()
