"""Secrets: argon2id password hashes, high-entropy tokens stored as sha256, TOTP, recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "sw-"  # noqa: S105 (a prefix, not a secret)
SESSION_PREFIX = "sws-"
TOTP_ISSUER = "snakewarden"
TOTP_STEP = 30
RECOVERY_CODES = 8


class PasswordHashing:
    """argon2id password hashes. The defaults are RFC 9106's second recommended profile
    (64 MiB, 3 passes); tests pass cheaper parameters. Old hashes verify whatever the current
    parameters (they are encoded in the hash)."""

    def __init__(self, *, time_cost: int = 3, memory_cost: int = 64 * 1024) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=1, type=Type.ID
        )
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def burn(self, password: str) -> None:
        """Spend the time of a real check (unknown users must not answer faster)."""
        if self._dummy is None:
            self._dummy = self.hash(secrets.token_hex(16))
        self.verify(self._dummy, password)


def new_secret_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER))


def totp_now(secret: str, at: datetime) -> str:
    """The code of ``secret`` at ``at`` (for tests and the CLI's self-check)."""
    return str(pyotp.TOTP(secret).at(at))


def totp_match(secret: str, code: str, at: datetime, *, after_counter: int) -> int | None:
    """The time-step counter that ``code`` matches (one step of drift either way), if it is
    above ``after_counter`` (a code is good once); else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(at.timestamp()) // TOTP_STEP
    for counter in (now, now - 1, now + 1):
        if counter > after_counter and hmac.compare_digest(str(totp.generate_otp(counter)), code):
            return counter
    return None


def new_recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    return ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(n)]


def recovery_digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
