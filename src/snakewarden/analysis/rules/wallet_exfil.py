"""wallet-exfil: a cryptocurrency wallet's private key or seed phrase is sent out.

By data flow (``rules/_flow.py``): a value whose name says it is a wallet private key,
seed/mnemonic phrase or keystore (a variable, parameter, attribute, dict key or environment
variable named so), or a key pair or phrase the code makes with a wallet library, reaches the
payload, URL or parameters of a network send. Values derived from the secret that reveal nothing
of it (a signature, a signed transaction, an address, a public key, a hash, a length) do not
count, nor do credentials sent as headers or ``auth``, nor a key put where an API expects its
own credential in code that is not about wallets.

A wallet's secret is the one thing its owner never sends anywhere: a wallet signs locally and
sends signatures. Sending the secret itself is what a drainer does.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from snakewarden.analysis.context import Role, ScanContext, SourceFile
from snakewarden.analysis.facts import Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    group_calls,
    is_process,
    is_process_name,
    parsed,
)
from snakewarden.analysis.rules._flow import (
    MAX_FUNCTIONS,
    MAX_NODES,
    MAX_PASS_NODES,
    RESOLVE_CALLS,
    Flow,
    flow_for,
    may_send,
    sends_out,
    transmits,
    walk,
)
from snakewarden.analysis.rules.process_exec import _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="wallet-exfil",
    description="sends a cryptocurrency wallet's private key or seed phrase out",
    severity=Severity.HIGH,
    category="threat.network.wallet_exfil",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        yield from _wallet_findings(ctx, Emitter(META))


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
#: Names of wallet secret material, as one word or two joined words (``seed_phrase``).
_SECRET_WORDS = frozenset(
    {
        "privatekey", "privatekeys", "privkey", "privkeys", "privkeyhex", "mnemonic", "mnemonics",
        "seedphrase", "seedwords", "recoveryphrase", "recoverywords", "backupphrase",
        "secretphrase", "mnemonicphrase", "mnemonicwords", "walletseed", "xprv", "xpriv",
    }
)  # fmt: skip
#: Names that denote wallet secrets only in code about wallets (elsewhere a Django or API
#: secret key, a Java keystore).
_WALLET_ONLY_WORDS = frozenset({"secretkey", "keystore", "wif"})
#: Secret words that also name the private key of a TLS, SSH or API credential.
_PLAIN_KEY_WORDS = frozenset({"privatekey", "privatekeys", "privkey", "privkeys", "privkeyhex"})
#: Words that make the name about the secret, not the secret itself (its path, its password,
#: whether it is valid...), or about its public half.
_META_WORDS = frozenset(
    {
        "path", "paths", "file", "files", "filename", "fname", "dir", "directory", "folder",
        "name", "names", "password", "passwd", "pass", "pwd", "passphrase", "type", "types",
        "id", "ids", "url", "uri", "format", "fmt", "len", "length", "size", "count", "bits",
        "public", "pub", "address", "addresses", "addr", "algorithm", "alg", "env", "var",
        "label", "alias", "index", "idx", "field", "column", "option", "flag", "help",
        "prompt", "msg", "message", "error", "exists", "valid", "is", "has", "enabled",
        "required", "mode", "pattern", "regex", "template", "placeholder", "widget", "input",
        "entry", "button", "hint", "location", "ref", "header", "headers", "encrypted",
        "cipher", "ciphertext", "hash", "fingerprint", "checksum", "opcode", "instruction",
        "insn", "lang", "language", "wordlist", "strength", "entropy", "version", "validate",
        "validated", "validation", "checked", "verified", "done", "sent", "loaded", "saved",
        "shown", "show", "display", "warning", "warned", "prefix", "suffix",
    }
)  # fmt: skip
#: Generic words that denote a seed phrase only together, as a payload key and the name of
#: its value (``{"seed": phrase}``; ``{"seed": seed}`` is a random seed).
_PHRASE_KEYS = frozenset({"seed", "recovery", "backup", "wallet", "secret"})
_PHRASE_VALUES = frozenset({"phrase", "words", "mnemonic"})
#: Call and attribute words whose result reveals nothing of a secret it is computed from.
_SAFE_WORDS = frozenset(
    {
        "sign", "signed", "signs", "signature", "signer", "verify", "verifying", "verification",
        "address", "addresses", "addr", "public", "pubkey", "publickey", "pub", "hash",
        "hashed", "digest", "hexdigest", "keccak", "sha", "sha256", "sha3", "sha512",
        "ripemd160", "hmac", "checksum", "encrypt", "encrypted", "fingerprint", "len",
        "isinstance", "bool", "validate", "valid", "is", "has", "check", "exists", "count",
        "ss58", "verifykey", "id", "type", "thumbprint", "box", "seal", "exchange", "shared",
    }
)  # fmt: skip
#: Methods that return their receiver's value, encoded or reshaped (``key.hex()``).
_KEEPS = frozenset(
    {
        "hex", "decode", "encode", "strip", "lstrip", "rstrip", "lower", "upper", "split",
        "join", "replace", "format", "to_bytes", "tobytes", "to_hex", "to_string", "to_str",
        "hexlify", "private_bytes", "export_key", "exportkey", "to_wif", "wif", "serialize",
        "dumps", "copy", "get", "pop", "items", "values", "to_dict", "dict", "json",
        "model_dump", "to_json", "tostr", "tohex", "raw", "toextended", "b58encode",
        "b64encode", "to_base58", "read", "__str__", "__bytes__",
    }
)  # fmt: skip
_SAFE_MODULES = ("jwt.", "jose.", "hashlib.", "hmac.", "nacl.signing.", "ecdsa.")
#: Keyword arguments of a request that carry credentials or settings, not its payload.
_NOT_PAYLOAD = frozenset(
    {
        "headers", "auth", "cookies", "cert", "verify", "timeout", "proxies", "proxy",
        "allow_redirects", "follow_redirects", "stream", "ssl", "ssl_context", "context",
    }
)  # fmt: skip
#: Clients whose ``get``/``put``... methods send a request (``SEND_METHODS`` has ``post``).
_CLIENTS = frozenset(
    {
        "requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient",
        "aiohttp.ClientSession", "urllib3.PoolManager",
    }
)  # fmt: skip
_CLIENT_METHODS = frozenset({"get", "put", "patch", "delete", "request", "head", "options"})
#: Function names that produce or fetch a secret (their parameters say which), not take one.
_PRODUCERS = (
    "get", "fetch", "load", "read", "gen", "create", "new", "make", "random", "download",
    "request", "retrieve", "export", "dump", "show", "print", "prompt", "ask", "input",
)  # fmt: skip
#: Imports and strings that put a file's code about cryptocurrency wallets.
_WALLET_MODULES = (
    "web3", "eth_account", "eth_keys", "eth_utils", "eth_abi", "solana", "solders", "bip_utils",
    "bip32", "bip39", "bip44", "mnemonic", "hdwallet", "bitcoin", "bitcoinlib", "bit", "tronpy",
    "tonsdk", "pytoniq", "tonutils", "coincurve", "pycoin", "cryptos", "xrpl", "stellar_sdk",
    "near_api", "aptos_sdk", "pysui", "cosmpy", "substrateinterface", "bittensor",
    "bittensor_wallet", "blocksmith", "monero", "base58", "pywallet", "bitcoinrpc", "algosdk",
    "multiversx_sdk",
)  # fmt: skip
_WALLET_TEXT = re.compile(
    r"wallet|ethereum|bitcoin|solana|metamask|phantom|bip-?39|bip-?44|m/44'|seed phrase|"
    r"mnemonic phrase|secp256k1|\btron\b|crypto ?currency",
    re.IGNORECASE,
)


#: Calls that make a new key pair or account, holding its private key.
_KEY_MAKERS = frozenset(
    {
        "eth_account.Account.create", "eth_account.Account.create_with_mnemonic",
        "solders.keypair.Keypair", "solana.keypair.Keypair",
    }
)  # fmt: skip
_PHRASE_MAKERS = frozenset({"generate", "to_mnemonic", "fromwordsnumber", "fromentropy"})
_PHRASE_MODULES = frozenset({"mnemonic", "bip_utils", "bip39", "hdwallet"})


def _words(ident: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(ident)]


def _secret_kind(ident: str, wallet: bool) -> bool:
    """``ident`` names wallet secret material (``private_key``, ``seedPhrase``, ``MNEMONIC``;
    in code about wallets also ``secret_key``, ``keystore``), not something about it
    (``private_key_path``, ``mnemonic_valid``, ``public_key``)."""
    if len(ident) > 60:
        return False
    words = _words(ident)
    if not words or len(words) > 6 or any(w in _META_WORDS for w in words):
        return False
    joined = {*words, *(a + b for a, b in pairwise(words))}
    joined |= {a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    if joined & _SECRET_WORDS:
        return True
    return wallet and bool(joined & _WALLET_ONLY_WORDS)


def _key_text(node: ast.AST | None) -> str | None:
    """A short identifier-like string constant (a dict key, an environment variable name)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[A-Za-z_][\w\- ]{0,40}", node.value)
    ):
        return node.value
    return None


def _ident(node: ast.AST) -> str:
    """The name a value is read from (``x``, ``obj.x``, ``x.hex()``, ``d["x"]``), or ""."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _key_text(node.slice) or ""
    return ""


def _entry_secret(key: str, value: ast.AST, wallet: bool) -> bool:
    """A payload entry ``key: value`` holds a wallet secret: the key says so (and the value is
    not a literal), or the key and the value's name do together (``{"seed": phrase}``)."""
    if isinstance(value, ast.Constant):
        return False
    name = _ident(value)
    if name and any(w in _META_WORDS for w in _words(name)):
        return False
    if _secret_kind(key, wallet):
        return True
    kw, vw = set(_words(key)), set(_words(name))
    return bool(kw & _PHRASE_KEYS and vw & _PHRASE_VALUES) or bool(
        kw & {"phrase", "words"} and vw & {"seed", "mnemonic", "recovery"}
    )


def _safe_call(name: str) -> bool:
    """A call whose result reveals nothing of the secret it is given: it signs, verifies,
    hashes or encrypts with it, derives the address or public key, or tests it."""
    short = name.rsplit(".", 1)[-1]
    return name.startswith(_SAFE_MODULES) or any(w in _SAFE_WORDS for w in _words(short))


def _safe_attr(attr: str) -> bool:
    return any(w in _SAFE_WORDS for w in _words(attr))


@dataclass
class _WalletFlow(Flow):
    """Taint from values *named* as wallet secrets, stopped by derivations that reveal nothing
    of them; functions of the file pass taint on only through the parameters that reach a
    send (a request helper that sends its ``url`` is not a sink for its ``key`` argument)."""

    #: the file is about wallets (``secret_key``, ``keystore`` then name secrets too)
    wallet: bool = False
    #: names count as evidence (off while finding which parameters a function sends)
    by_name: bool = True
    #: names bound to HTTP clients (see ``_clients``)
    clients: set[str] = field(default_factory=set)
    #: the file's import aliases (``web3.Account.from_key`` is not the file's ``from_key``)
    imported: set[str] = field(default_factory=set)
    #: the file's functions by name (``self.send(...)`` calls one of them, not a socket)
    defs: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    #: where values put in credential slots are (see ``_credential_slots``)
    slots: set[tuple[int, ...]] = field(default_factory=set)
    _reach: dict[str, set[str]] = field(default_factory=dict)
    _sizes: dict[str, bool] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)

    def prepare(self) -> None:
        """Summarise the file's functions (sources, pass-throughs, sinks) now."""
        self._summarise()

    def named_source(self, node: ast.Call, name: str) -> bool:
        """A call that reads or makes a secret: ``os.getenv("MNEMONIC")``,
        ``cfg.get("private_key")``, ``wallet.private_key()``, ``generate_mnemonic()``."""
        if not self.by_name or _safe_call(name):
            return False
        short = name.rsplit(".", 1)[-1]
        key = _key_text(node.args[0]) if node.args else None
        if key is not None and short in ("get", "getenv", "pop", "get_password", "getattr"):
            return _secret_kind(key, self.wallet)
        if self.makes_secret(node):
            return True
        words = _words(short)
        return _secret_kind(short, self.wallet) and not any(
            w in ("set", "save", "store", "import", "write", "to", "from", "load") for w in words
        )

    def makes_secret(self, node: ast.Call) -> bool:
        """``node`` makes a new key pair or seed phrase."""
        return self.name_of(node) in _KEY_MAKERS or self._makes_phrase(node)

    def _makes_phrase(self, node: ast.Call) -> bool:
        """``Mnemonic("english").generate()``, ``Bip39MnemonicGenerator().FromWordsNumber(12)``:
        a new seed phrase from a BIP-39 library."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr.lower() in _PHRASE_MAKERS):
            return False
        root: ast.AST = func.value
        while isinstance(root, ast.Call | ast.Attribute):
            root = root.func if isinstance(root, ast.Call) else root.value
        if not isinstance(root, ast.Name):
            return False
        return self.resolve(root.id).split(".", 1)[0] in _PHRASE_MODULES

    def tainted(self, expr: ast.AST, names: set[str]) -> bool:
        stack: list[ast.AST] = [expr]
        seen = 0
        while stack and seen < MAX_NODES:
            cur = stack.pop()
            seen += 1
            if isinstance(cur, ast.Constant):
                continue
            if self.slots and _where(cur) in self.slots:
                continue  # a private key given as an API credential (``{"secret": key}``)
            if isinstance(cur, ast.Name):
                if cur.id in ("self", "cls") or _safe_attr(cur.id):
                    continue  # (``public_pem``, ``address``: the public half of a pair)
                if cur.id in names or (self.by_name and _secret_kind(cur.id, self.wallet)):
                    return True
                continue
            if isinstance(cur, ast.Attribute):
                if _safe_attr(cur.attr):
                    continue
                if dotted(cur) in names or (self.by_name and _secret_kind(cur.attr, self.wallet)):
                    return True
            elif isinstance(cur, ast.Call):
                name = self.name_of(cur)
                if _safe_call(name):
                    continue
                short = name.rsplit(".", 1)[-1]
                if self.by_name and (self.named_source(cur, name) or short in self._sources):
                    return True
                own = self._own(cur)
                if own and short in self._passes:
                    if self._args_reach(cur, self.handing_back(short), names):
                        return True
                    continue  # (``tx = build_tx(keypair, owner)``: the transaction, not the key)
                if short in self._passes and self.args_tainted(cur, names, receiver=False):
                    return True
                if own and self._summarised and self._small(short):
                    continue  # a function of the file that hands none of its arguments back
                if self.by_name and any(
                    k.arg is not None and _entry_secret(k.arg, k.value, self.wallet)
                    for k in cur.keywords
                ):
                    return True  # dict(private_key=k)
                if isinstance(cur.func, ast.Attribute) and cur.func.attr.lower() not in _KEEPS:
                    # what a key-holding object's method returns (a client's response, a
                    # transaction) is not the key: only the call's arguments pass it on
                    stack.extend(cur.args)
                    stack.extend(k.value for k in cur.keywords)
                    continue
            elif isinstance(cur, ast.Subscript) and (key := _key_text(cur.slice)) is not None:
                if self.by_name and _secret_kind(key, self.wallet):
                    return True  # os.environ["PRIVATE_KEY"], data["mnemonic"]
                continue  # another entry (``creds["user"]``) of what may hold a secret
            elif (
                isinstance(cur, ast.Dict)
                and self.by_name
                and any(
                    (key := _key_text(k)) is not None and _entry_secret(key, v, self.wallet)
                    for k, v in zip(cur.keys, cur.values, strict=False)
                )
            ):
                return True  # {"private_key": k}, {"seed": phrase}
            stack.extend(ast.iter_child_nodes(cur))
        return False

    def sends(self, call: ast.Call, names: set[str], unit: ast.AST) -> bool:
        name = self.name_of(call)
        if self.is_sink(self, call, name, names, unit):
            return True
        short = name.rsplit(".", 1)[-1]
        written = dotted(call.func)
        if short not in self._sinks or name != written or written.split(".")[0] in self.imported:
            return False  # not a function of the file (an imported one of the same name)
        return self._args_reach(call, self.reaching(short), names)

    def _args_reach(self, call: ast.Call, params: set[str], names: set[str]) -> bool:
        """A tainted argument of ``call`` (of a function of the file) is given to one of its
        ``params`` (``*`` / ``**``: its variadic parameters)."""
        if not params:
            return False
        short = self.name_of(call).rsplit(".", 1)[-1]
        method = isinstance(call.func, ast.Attribute)
        positional = [p for p in self._params_of(short) if not (method and p in ("self", "cls"))]
        for i, arg in enumerate(call.args):
            param = positional[i] if i < len(positional) else "*"
            if (param in params or "*" in params) and self.tainted(arg, names):
                return True
        return any(
            (k.arg in params or "**" in params) and self.tainted(k.value, names)
            for k in call.keywords
        )

    def _own(self, call: ast.Call) -> bool:
        """``call`` calls a function of the file by its plain name (``build_tx(...)``)."""
        func = call.func
        return isinstance(func, ast.Name) and func.id in self.defs and func.id not in self.imported

    def _small(self, short: str) -> bool:
        """The summary looked at every function ``short`` as a possible pass-through."""
        if short not in self._sizes:
            self._sizes[short] = all(
                sum(1 for _ in walk(d)) <= MAX_PASS_NODES for d in self._defs(short)
            )
        return self._sizes[short]

    def _defs(self, short: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        return self.defs.get(short, [])

    def _params_of(self, short: str) -> list[str]:
        defs = self._defs(short)
        if not defs:
            return []
        a = defs[0].args
        return [x.arg for x in (*a.posonlyargs, *a.args)]

    def reaching(self, short: str) -> set[str]:
        """The parameters of the file's function ``short`` whose value it sends out (``*`` /
        ``**`` for its variadic parameters)."""
        return self._per_param(short, "sends")

    def handing_back(self, short: str) -> set[str]:
        """The parameters of the file's function ``short`` whose value its result carries."""
        return self._per_param(short, "returns")

    def _per_param(self, short: str, what: str) -> set[str]:
        key = f"{what}:{short}"
        if key in self._reach:
            return self._reach[key]
        if key in self._busy:
            return set()
        self._busy.add(key)
        out: set[str] = set()
        saved = self.by_name
        self.by_name = False
        try:
            for d in self._defs(short):
                a = d.args
                params = [(x.arg, x.arg) for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
                if a.vararg is not None:
                    params.append((a.vararg.arg, "*"))
                if a.kwarg is not None:
                    params.append((a.kwarg.arg, "**"))
                for param, label in params:
                    if param in ("self", "cls") or label in out:
                        continue
                    seeded = self.taint(d, into_functions=True, seed={param})
                    if what == "returns":
                        hit = self._returns(d, seeded)
                    else:
                        hit = any(
                            isinstance(n, ast.Call) and self.sends(n, seeded, d) for n in walk(d)
                        )
                    if hit:
                        out.add(label)
        finally:
            self.by_name = saved
            self._busy.discard(key)
        self._reach[key] = out
        return out


def _wallet_context(facts: Facts) -> bool:
    """The file is about cryptocurrency wallets: it imports a wallet library or talks of one."""
    if any(m.split(".", 1)[0] in _WALLET_MODULES for m in facts.modules):
        return True
    return any(len(s.value) < 2000 and _WALLET_TEXT.search(s.value) for s in facts.strings)


#: Labels that name a seed phrase, not just "a private key": wallets alone have those.
_PHRASE_LABEL = re.compile(r"mnemonic|seed|phrase|words|recovery|xprv|xpriv", re.IGNORECASE)
_HINTS = ("priv", "mnemonic", "seed", "phrase", "wif", "keystore", "secret", "xprv")


def _hinted(text: str) -> bool:
    low = text.lower()
    return any(h in low for h in _HINTS)


def _mentions_secret(facts: Facts, wallet: bool) -> bool:
    """Cheap test: some identifier or short string of the file names a wallet secret, or
    may with another (``{"seed": phrase}``)."""
    idents = [n for sc in facts.scopes for n in (*sc.names, *sc.listed, *sc.attrs, sc.name)]
    idents.extend(s.value for s in facts.strings if len(s.value) <= 40)
    if not _hinted("\n".join(idents)):
        return False
    words: set[str] = set()
    for ident in set(idents):
        if not _hinted(ident):
            continue
        if _secret_kind(ident, wallet):
            return True
        words.update(_words(ident))
    return "phrase" in words


def _makes_keys(facts: Facts) -> bool:
    """The file makes a key pair or a seed phrase with a wallet library."""
    return any(
        c.name in _KEY_MAKERS or c.name.split(".", 1)[0] in _PHRASE_MODULES for c in facts.calls
    )


def _clients(tree: ast.Module, resolve: Callable[[str], str]) -> set[str]:
    """Names bound to an HTTP client (``s = requests.Session()``, ``async with
    httpx.AsyncClient() as c``): their ``get``/``put``... calls send requests."""
    out: set[str] = set()
    for n in walk(tree):
        if isinstance(n, ast.withitem) and n.optional_vars is not None:
            value, targets = n.context_expr, [n.optional_vars]
        elif isinstance(n, ast.Assign):
            value, targets = n.value, list(n.targets)
        else:
            continue
        if isinstance(value, ast.Call) and resolve(dotted(value.func)) in _CLIENTS:
            out.update(dotted(t) for t in targets if isinstance(t, ast.Name | ast.Attribute))
    return out


def _net_tool(node: ast.Call) -> bool:
    """A command that runs ``curl`` or ``wget`` (``["curl", url]``, ``f"curl {url}"``)."""
    arg = node.args[0] if node.args else None
    if isinstance(arg, ast.List | ast.Tuple) and arg.elts:
        arg = arg.elts[0]
    elif isinstance(arg, ast.JoinedStr) and arg.values:
        arg = arg.values[0]
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    return _first_word(arg.value) in ("curl", "wget")


def _wallet_sink(flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
    """``node`` sends a tainted value as the payload, URL or parameters of a request (not as
    its headers or credentials), in a ``curl``/``wget`` command, or in a looked-up name."""
    if not isinstance(flow, _WalletFlow):
        return False
    if name in RESOLVE_CALLS:
        return sends_out(flow, node, name, names, unit)
    if is_process_name(name):
        return _net_tool(node) and flow.args_tainted(node, names, receiver=False)
    if not _sends_request(name, flow.clients) or _own_function(flow, node):
        return False
    parts = [*node.args, *(k.value for k in node.keywords if k.arg not in _NOT_PAYLOAD)]
    return any(flow.tainted(p, names) for p in parts)


def _own_function(flow: _WalletFlow, node: ast.Call) -> bool:
    """A call of a function or method of the file (``self.send(...)``, ``send(...)``)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in flow.defs
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
        and func.attr in flow.defs
    )


_CREDENTIAL_KEYS = frozenset(
    {
        "k", "key", "secret", "apikey", "api_key", "token", "access_token", "auth", "password",
        "client_secret", "signature", "sig", "secret_key", "access_key", "app_secret",
    }
)  # fmt: skip
_CREDENTIAL_QUERY = re.compile(
    r"[?&](?:k|key|api_?key|secret|token|auth|sig|signature|password)=$", re.IGNORECASE
)


def _where(node: ast.AST) -> tuple[int, ...]:
    """A node's place in the source (the same in every parse of the file; the facts' calls
    come from another parse than the flow's tree)."""
    return (
        getattr(node, "lineno", -1),
        getattr(node, "col_offset", -1),
        getattr(node, "end_lineno", -1) or -1,
        getattr(node, "end_col_offset", -1) or -1,
    )


def _credential_slots(tree: ast.Module, wallet: bool) -> set[tuple[int, ...]]:
    """Values put where an API expects its credential (``{"secret": private_key}``,
    ``payload["k"] = self.privatekey``, ``?key={private_key}``) that are named only as a
    private key: outside code about wallets that is an API's key (a captcha or push service
    calls its secret a private key), not a wallet's."""
    if wallet:
        return set()
    values: list[ast.AST] = []
    for n in walk(tree):
        if isinstance(n, ast.Dict):
            values.extend(v for k, v in zip(n.keys, n.values, strict=False) if _credential_key(k))
        elif isinstance(n, ast.Call):
            values.extend(k.value for k in n.keywords if k.arg in _CREDENTIAL_KEYS)
        elif isinstance(n, ast.Assign):
            if any(isinstance(t, ast.Subscript) and _credential_key(t.slice) for t in n.targets):
                values.append(n.value)
        elif isinstance(n, ast.JoinedStr):
            for before, part in pairwise(n.values):
                if (
                    isinstance(before, ast.Constant)
                    and isinstance(before.value, str)
                    and isinstance(part, ast.FormattedValue)
                    and _CREDENTIAL_QUERY.search(before.value)
                ):
                    values.append(part)
    return {_where(v) for v in values if _plain_key_only(v)}


def _credential_key(node: ast.AST | None) -> bool:
    key = _key_text(node)
    return key is not None and key.lower() in _CREDENTIAL_KEYS


def _plain_key_only(node: ast.AST) -> bool:
    """The secret read in ``node`` is named only as a private key (not a seed phrase...)."""
    label = _secret_in(node, False)
    if label is None:
        return True
    words = _words(label)
    joined = {*words, *(a + b for a, b in pairwise(words))}
    return not (joined & (_SECRET_WORDS - _PLAIN_KEY_WORDS))


def _sends_request(name: str, clients: set[str]) -> bool:
    if transmits(name):
        return True
    head, _, short = name.rpartition(".")
    return short in _CLIENT_METHODS and head in clients


def _attr_seeds(flow: _WalletFlow) -> dict[str, str]:
    """``self.x`` attributes assigned a secret in some method (``self.acct =
    Account.from_key(key)``), with the secret's name: the other methods read it from them."""
    out: dict[str, str] = {}
    defs = [d for ds in flow.defs.values() for d in ds]
    for d in defs:
        assigns = [
            n
            for n in walk(d, into_functions=False)
            if isinstance(n, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) for t in n.targets
            )
        ]
        if not assigns or not any(
            _hinted(text) and _secret_kind(text, flow.wallet)
            for n in walk(d)
            if (text := _node_text(n))
        ):
            continue  # nothing in it is named as a secret
        flow.prepare()
        names = flow.taint(d, into_functions=False)
        for a in assigns:
            if flow.tainted(a.value, names):
                label = _secret_in(a.value, flow.wallet) or _secret_in(d, flow.wallet)
                for t in a.targets:
                    if isinstance(t, ast.Attribute):
                        out.setdefault(dotted(t), label or "secret")
    return out


def _node_text(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 40:
        return node.value
    return ""


def _named_params(node: ast.AST, wallet: bool) -> set[str]:
    """The parameters of a function whose name says it takes a secret
    (``restore_from_mnemonic(words)``); not of one that fetches or makes it."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    words = _words(node.name)
    if not words or words[0] in _PRODUCERS:
        return set()
    if not (_secret_kind(node.name, wallet) or _secret_kind("_".join(words[1:]), wallet)):
        return set()  # (the first word may be a verb: ``validate_mnemonic_keys``)
    a = node.args
    return {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)} - {"self", "cls"}


def _secret_in(node: ast.AST, wallet: bool) -> str | None:
    """The name of a wallet secret read in ``node`` (a variable, attribute, parameter, dict
    key or looked-up key), if any."""
    for n in walk(node):
        if isinstance(n, ast.Name) and _secret_kind(n.id, wallet):
            return n.id
        if isinstance(n, ast.Attribute) and _secret_kind(n.attr, wallet):
            return n.attr
        if isinstance(n, ast.arg) and _secret_kind(n.arg, wallet):
            return n.arg
        if isinstance(n, ast.Dict):
            for k, v in zip(n.keys, n.values, strict=False):
                key = _key_text(k)
                if key is not None and _entry_secret(key, v, wallet):
                    return key
        if isinstance(n, ast.Subscript | ast.Call):
            sub: ast.AST | None = n.slice if isinstance(n, ast.Subscript) else None
            if isinstance(n, ast.Call) and n.args:
                sub = n.args[0]
            key = _key_text(sub)
            if key is not None and _secret_kind(key, wallet):
                return key
    return None


def _label(
    flow: _WalletFlow, send: ast.Call, unit: ast.AST, params: set[str], attrs: dict[str, str]
) -> str:
    """The secret's name for the message: as read in the send, else in the unit."""
    label = _secret_in(send, flow.wallet)
    if label is not None:
        return label
    for n in walk(send):
        if isinstance(n, ast.Attribute) and dotted(n) in attrs:
            return f"{dotted(n)}: {attrs[dotted(n)]}"
    for n in walk(unit):
        if isinstance(n, ast.Call) and flow.makes_secret(n):
            return f"{ast.unparse(n.func)[:40]}()"
    label = _secret_in(unit, flow.wallet)
    if label is not None:
        return label
    if isinstance(unit, ast.FunctionDef | ast.AsyncFunctionDef) and params:
        return f"{', '.join(sorted(params))}: parameter of {unit.name}"
    return "secret"


def _no_source(node: ast.Call, name: str) -> bool:
    return False


def _def_index(tree: ast.Module) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    out: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    count = 0
    for n in walk(tree):
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and count < MAX_FUNCTIONS:
            out.setdefault(n.name, []).append(n)
            count += 1
    return out


def _wallet_flow(src: SourceFile, facts: Facts, wallet: bool) -> _WalletFlow | None:
    """A ``_WalletFlow`` over ``src`` (built on ``flow_for``'s parse)."""
    base = flow_for(src, _no_source, sends_out)
    if base is None:
        return None
    clients = _clients(base.tree, facts.resolve)
    flow = _WalletFlow(
        base.tree,
        base.resolve,
        _no_source,
        _wallet_sink,
        lambda name: _sends_request(name, clients) or is_process_name(name),
        wallet=wallet,
        clients=clients,
        imported=set(facts.imports),
        defs=_def_index(base.tree),
        slots=_credential_slots(base.tree, wallet),
    )
    flow.is_source = flow.named_source
    return flow


def _wallet_findings(ctx: ScanContext, emit: Emitter) -> list[Finding]:
    out: list[Finding] = []
    for src, facts in parsed(ctx):
        found: list[Finding] = []
        if not _mentions_secret(facts, True) and not _makes_keys(facts):
            continue
        client = any(c.name in _CLIENTS for c in facts.calls)
        if not any(
            may_send(c.name)
            or (client and _short(c.name) in _CLIENT_METHODS)
            or (is_process(c) and _net_tool(c.node))
            for c in facts.calls
        ):
            continue
        wallet = _wallet_context(facts)
        if not wallet and not _mentions_secret(facts, False) and not _makes_keys(facts):
            continue
        flow = _wallet_flow(src, facts, wallet)
        if flow is None:
            continue
        clients = flow.clients
        flow.prepare()
        attrs = _attr_seeds(flow)
        whole = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
        groups = group_calls(src)
        if whole:
            groups = {0: [c for cs in groups.values() for c in cs]}
        for gid, calls in groups.items():
            line = 0 if whole or gid == 0 else facts.scopes[gid].line
            candidates = [
                c
                for c in calls
                if c.name in RESOLVE_CALLS
                or _sends_request(c.name, clients)
                or (is_process_name(c.name) and _net_tool(c.node))
                or flow.is_wrapper(c.name)
            ]
            if not candidates:
                continue
            node = flow.tree if whole else flow.unit_node(line)
            params = _named_params(node, wallet)
            into = whole or node is not flow.tree
            names = flow.taint(node, into_functions=into, seed={*attrs, *params})
            send = next((c for c in candidates if flow.sends(c.node, names, node)), None)
            if send is None:
                continue
            label = _label(flow, send.node, node, params, attrs)
            if wallet or _PHRASE_LABEL.search(label):
                # a drainer: wherever the code sits, the package is the API its victim calls
                what, base, floor = "a wallet private key or seed phrase", 0.9, 0.75
            else:
                # a private key outside code about wallets: TLS, SSH, WireGuard or an API's key
                what, base, floor = "a private key", 0.35, 0.0
            found.append(
                emit.at(
                    src,
                    send.line,
                    send.scope,
                    base,
                    f"sends {what} ({label}) via {send.name}",
                    floor=floor,
                )
            )
        if found:  # one per file: the sends of one secret are one behaviour
            out.append(max(found, key=lambda f: f.weight))
    return out


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


RULE = _Rule()
