"""Accounts: users, 2FA (TOTP + single-use recovery codes), sessions, API tokens and roles.

Every change and every authentication attempt is written to the event log in the same
transaction. Failed logins are rate-limited from the event log itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from packaging.utils import canonicalize_name
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from snakewarden.core.events import EventTag
from snakewarden.index import security
from snakewarden.index.db import Database
from snakewarden.index.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from snakewarden.index.events import RequestMeta, record
from snakewarden.index.interfaces import Clock
from snakewarden.index.models import (
    ApiToken,
    EventRow,
    Project,
    ProjectRole,
    RecoveryCode,
    Role,
    User,
    WebSession,
)
from snakewarden.index.validation import PROJECT_NAME_RE

USERNAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,49}\Z")
EMAIL_RE = re.compile(r"\A[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}\Z")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
SESSION_TTL = timedelta(hours=12)
MAX_TOKEN_DAYS = 3650
#: failed logins: at most this many per account, and per address, within the window
LOGIN_FAILURES_PER_USER = 5
LOGIN_FAILURES_PER_IP = 20
LOGIN_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    email: str
    two_factor: bool
    is_admin: bool


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as: an account, and the token or session it authenticated with."""

    account: Account
    token_id: int | None = None
    token_projects: tuple[str, ...] = ()  # () = every project of the account
    session_two_factor: bool = False

    def may_touch(self, project: str) -> bool:
        return not self.token_projects or project in self.token_projects


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    prefix: str
    description: str
    projects: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.email, user.totp_enabled, user.is_admin)


def _token_info(t: ApiToken) -> TokenInfo:
    return TokenInfo(
        t.id,
        t.prefix,
        t.description,
        tuple(t.projects or ()),
        t.created_at,
        t.expires_at,
        t.revoked_at,
        t.last_used_at,
    )


class AccountService:
    def __init__(
        self, db: Database, clock: Clock, passwords: security.PasswordHashing | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.passwords = passwords or security.PasswordHashing()

    # -- users -------------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        email: str,
        password: str,
        *,
        admin: bool = False,
        meta: RequestMeta | None = None,
        actor: str | None = None,
    ) -> Account:
        if not USERNAME_RE.match(username):
            raise BadRequest(
                f"invalid user name {username[:60]!r}: use 1-50 letters, digits, '.', '_' or '-'"
            )
        if not EMAIL_RE.match(email):
            raise BadRequest(f"invalid email address {email[:80]!r}")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise BadRequest(f"the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        if password.strip() in {username, email}:
            raise BadRequest("the password must not be the user name or the email address")
        digest = self.passwords.hash(password)
        now = self.clock.now()
        with self.db.write() as s:
            taken = s.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
            if taken is not None:
                raise Conflict(f"the user name {username!r} is taken")
            user = User(
                username=username,
                email=email,
                password_hash=digest,
                is_admin=admin,
                created_at=now,
                totp_enabled=False,
                totp_last_counter=0,
                disabled=False,
            )
            s.add(user)
            s.flush()
            record(
                s,
                EventTag.USER_CREATED,
                time=now,
                meta=meta,
                actor=actor or username,
                user=username,
                admin=str(admin).lower(),
            )
            return _account(user)

    def set_password(
        self,
        username: str,
        password: str,
        *,
        actor: str,
        old_password: str | None = None,
        meta: RequestMeta | None = None,
    ) -> None:
        """A new password (checked against ``old_password`` when given); every open session of
        the user ends. API tokens are kept: they are separate credentials."""
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise BadRequest(f"the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        digest = self.passwords.hash(password)
        now = self.clock.now()
        with self.db.write() as s:
            user = self._user(s, username)
            if old_password is not None and not self.passwords.verify(
                user.password_hash, old_password
            ):
                raise Forbidden("the current password is wrong")
            user.password_hash = digest
            s.execute(
                update(WebSession)
                .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            record(s, EventTag.PASSWORD_RESET, time=now, meta=meta, actor=actor, user=user.username)

    def set_email(
        self, username: str, email: str, *, actor: str, meta: RequestMeta | None = None
    ) -> None:
        if not EMAIL_RE.match(email):
            raise BadRequest(f"invalid email address {email[:80]!r}")
        now = self.clock.now()
        with self.db.write() as s:
            user = self._user(s, username)
            old = user.email
            user.email = email
            record(
                s,
                EventTag.EMAIL_CHANGED,
                time=now,
                meta=meta,
                actor=actor,
                user=user.username,
                old=old,
                new=email,
            )

    def get(self, username: str) -> Account:
        with self.db.read() as s:
            return _account(self._user(s, username))

    def _user(self, s: Session, username: str) -> User:
        user = s.scalar(select(User).where(func.lower(User.username) == username.lower()))
        if user is None:
            raise NotFound(f"no user named {username[:60]!r}")
        return user

    # -- two-factor --------------------------------------------------------------------------

    def begin_two_factor(self, username: str) -> tuple[str, str]:
        """A new TOTP secret for ``username`` (not yet enabled): (base32 secret, otpauth URI)."""
        with self.db.write() as s:
            user = self._user(s, username)
            if user.totp_enabled:
                raise Conflict(
                    f"two-factor authentication is already enabled for {user.username!r}"
                )
            user.totp_secret = security.new_totp_secret()
            return user.totp_secret, security.totp_uri(user.totp_secret, user.username)

    def confirm_two_factor(
        self, username: str, code: str, *, meta: RequestMeta | None = None
    ) -> list[str]:
        """Enable 2FA once ``code`` proves the authenticator has the secret; returns the
        recovery codes (shown once, stored hashed)."""
        now = self.clock.now()
        with self.db.write() as s:
            user = self._user(s, username)
            if user.totp_enabled:
                raise Conflict(f"two-factor authentication is already enabled for {username!r}")
            if not user.totp_secret:
                raise BadRequest(
                    "no pending two-factor setup", hint=f"run: snakewarden user 2fa {username}"
                )
            counter = security.totp_match(user.totp_secret, code, now, after_counter=0)
            if counter is None:
                raise Forbidden("the 2FA code is not valid (check the authenticator's clock)")
            user.totp_enabled = True
            user.totp_last_counter = counter
            codes = security.new_recovery_codes()
            s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
            s.add_all(
                RecoveryCode(user_id=user.id, code_hash=security.recovery_digest(c)) for c in codes
            )
            record(s, EventTag.TWO_FACTOR_ENABLED, time=now, meta=meta, actor=user.username)
            return codes

    def disable_two_factor(
        self, username: str, *, actor: str, meta: RequestMeta | None = None
    ) -> None:
        """Admin reset of a user's 2FA (lost device): every token of the user is revoked."""
        now = self.clock.now()
        with self.db.write() as s:
            user = self._user(s, username)
            user.totp_enabled = False
            user.totp_secret = None
            s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
            s.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason="2FA reset")
            )
            record(s, EventTag.TWO_FACTOR_DISABLED, time=now, meta=meta, actor=actor, user=username)

    def _check_second_factor(
        self, s: Session, user: User, code: str, now: datetime, meta: RequestMeta | None
    ) -> bool:
        """True if ``code`` is a fresh TOTP code or an unused recovery code (then burnt)."""
        if not user.totp_enabled or not user.totp_secret:
            return False
        counter = security.totp_match(
            user.totp_secret, code, now, after_counter=user.totp_last_counter
        )
        if counter is not None:
            user.totp_last_counter = counter
            return True
        rc = s.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == security.recovery_digest(code),
                RecoveryCode.used_at.is_(None),
            )
        )
        if rc is None:
            return False
        rc.used_at = now
        left = s.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        record(
            s,
            EventTag.RECOVERY_CODE_USED,
            time=now,
            meta=meta,
            actor=user.username,
            remaining=str(max(0, (left or 0) - 1)),
        )
        return True

    # -- login and sessions ------------------------------------------------------------------

    def _rate_limit(self, s: Session, username: str, meta: RequestMeta, now: datetime) -> None:
        since = now - LOGIN_WINDOW
        base = select(func.count(EventRow.id)).where(
            EventRow.tag == EventTag.LOGIN_FAILED.value, EventRow.time >= since
        )
        by_user = s.scalar(base.where(func.lower(EventRow.actor) == username.lower())) or 0
        by_ip = (s.scalar(base.where(EventRow.ip == meta.ip)) or 0) if meta.ip else 0
        if by_user >= LOGIN_FAILURES_PER_USER or by_ip >= LOGIN_FAILURES_PER_IP:
            raise TooManyRequests(
                "too many failed logins; try again later",
                retry_after=int(LOGIN_WINDOW.total_seconds()),
            )

    def login(
        self, username: str, password: str, otp: str | None, *, meta: RequestMeta
    ) -> tuple[str, Account]:
        """A session token for password + TOTP (or recovery) code. An account without 2FA
        gets a session that can only set 2FA up."""
        now = self.clock.now()
        with self.db.read() as s:
            self._rate_limit(s, username, meta, now)
            user = s.scalar(select(User).where(func.lower(User.username) == username.lower()))
            stored = user.password_hash if user is not None else None
        good = self.passwords.verify(stored, password) if stored else False
        if stored is None:
            self.passwords.burn(password)
        with self.db.write() as s:
            user = s.scalar(select(User).where(func.lower(User.username) == username.lower()))
            reason = None
            if user is None or not good:
                reason = "bad credentials"
            elif user.disabled:
                reason = "account disabled"
            elif user.totp_enabled and not otp:
                reason = "missing 2FA code"
            elif user.totp_enabled and not self._check_second_factor(s, user, otp or "", now, meta):
                reason = "bad 2FA code"
            if reason is not None or user is None:
                record(
                    s,
                    EventTag.LOGIN_FAILED,
                    time=now,
                    meta=meta,
                    actor=username[:64],
                    reason=reason or "bad credentials",
                )
        if reason is not None or user is None:
            raise Unauthenticated(
                "invalid user name, password or 2FA code"
                if reason != "missing 2FA code"
                else "this account has 2FA enabled: send the code from the authenticator"
            )
        token = security.new_secret_token(security.SESSION_PREFIX)
        with self.db.write() as s:
            s.add(
                WebSession(
                    user_id=user.id,
                    token_hash=security.token_digest(token),
                    two_factor=user.totp_enabled,
                    created_at=now,
                    expires_at=now + SESSION_TTL,
                )
            )
            record(
                s,
                EventTag.LOGIN,
                time=now,
                meta=meta,
                actor=user.username,
                two_factor=str(user.totp_enabled).lower(),
            )
        return token, _account(user)

    def authenticate_session(self, token: str) -> Principal:
        now = self.clock.now()
        with self.db.read() as s:
            ws = s.scalar(
                select(WebSession).where(WebSession.token_hash == security.token_digest(token))
            )
            if ws is None or ws.revoked_at is not None or ws.expires_at <= now:
                raise Unauthenticated("the session is invalid or expired: log in again")
            if ws.user.disabled:
                raise Forbidden("this account is disabled")
            return Principal(_account(ws.user), session_two_factor=ws.two_factor)

    def logout(self, token: str) -> None:
        with self.db.write() as s:
            s.execute(
                update(WebSession)
                .where(WebSession.token_hash == security.token_digest(token))
                .values(revoked_at=self.clock.now())
            )

    # -- API tokens --------------------------------------------------------------------------

    def create_token(
        self,
        username: str,
        otp: str,
        *,
        projects: Sequence[str] = (),
        expires_days: float | None = None,
        description: str = "",
        meta: RequestMeta | None = None,
        verified_session: bool = False,
    ) -> tuple[str, TokenInfo]:
        """A new API token (the secret is returned once). Needs 2FA enabled and a fresh code,
        unless ``verified_session`` (a session opened with a 2FA code)."""
        now = self.clock.now()
        scoped: list[str] = []
        for p in projects:
            if not PROJECT_NAME_RE.match(p):
                raise BadRequest(f"invalid project name {p[:80]!r}")
            scoped.append(canonicalize_name(p))
        if expires_days is not None and not 0 < expires_days <= MAX_TOKEN_DAYS:
            raise BadRequest(f"token expiry must be between 0 and {MAX_TOKEN_DAYS} days")
        token = security.new_secret_token(security.TOKEN_PREFIX)
        with self.db.write() as s:
            user = self._user(s, username)
            if not user.totp_enabled:
                raise Forbidden(
                    f"two-factor authentication is required to create API tokens; "
                    f"enable it first (snakewarden user 2fa {user.username})"
                )
            if not verified_session and not self._check_second_factor(s, user, otp, now, meta):
                record(
                    s,
                    EventTag.LOGIN_FAILED,
                    time=now,
                    meta=meta,
                    actor=user.username,
                    reason="bad 2FA code for token creation",
                )
                raise Forbidden("the 2FA code is not valid (or was already used)")
            row = ApiToken(
                user_id=user.id,
                token_hash=security.token_digest(token),
                prefix=token[:10],
                description=description[:200],
                projects=sorted(set(scoped)),
                created_at=now,
                expires_at=now + timedelta(days=expires_days) if expires_days else None,
            )
            s.add(row)
            s.flush()
            record(
                s,
                EventTag.TOKEN_CREATED,
                time=now,
                meta=meta,
                actor=user.username,
                token=str(row.id),
                projects=",".join(row.projects) or "*",
                expires=row.expires_at.isoformat() if row.expires_at else "never",
            )
            return token, _token_info(row)

    def list_tokens(self, username: str) -> list[TokenInfo]:
        with self.db.read() as s:
            user = self._user(s, username)
            rows = s.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
            )
            return [_token_info(t) for t in rows]

    def revoke_token(
        self,
        token_id: int,
        *,
        actor: str,
        reason: str,
        owner: str | None = None,
        meta: RequestMeta | None = None,
    ) -> None:
        """Revoke a token (``owner`` restricts to that user's tokens)."""
        now = self.clock.now()
        with self.db.write() as s:
            self._revoke(s, token_id, now=now, actor=actor, reason=reason, owner=owner, meta=meta)

    def _revoke(
        self,
        s: Session,
        token_id: int,
        *,
        now: datetime,
        actor: str,
        reason: str,
        owner: str | None = None,
        meta: RequestMeta | None = None,
    ) -> None:
        t = s.get(ApiToken, token_id)
        if t is None or (owner is not None and t.user.username.lower() != owner.lower()):
            raise NotFound(f"no token {token_id}")
        if t.revoked_at is None:
            t.revoked_at = now
            t.revoked_reason = reason[:200]
            record(
                s,
                EventTag.TOKEN_REVOKED,
                time=now,
                meta=meta,
                actor=actor,
                token=str(t.id),
                user=t.user.username,
                reason=reason[:200],
            )

    def authenticate_upload(self, username: str, password: str, meta: RequestMeta) -> Principal:
        """The principal of an upload's Basic credentials: ``__token__`` + an API token only."""
        now = self.clock.now()
        if username != "__token__":
            raise Forbidden(
                "Uploading with a user name and password is not allowed: use an API token "
                "(user name __token__, password the token; snakewarden token create). "
                "Tokens need an account with two-factor authentication."
            )
        if not password.startswith(security.TOKEN_PREFIX):
            raise Forbidden(f"Invalid API token: tokens start with {security.TOKEN_PREFIX!r}")
        with self.db.write() as s:
            t = s.scalar(
                select(ApiToken).where(ApiToken.token_hash == security.token_digest(password))
            )
            if t is None:
                raise Forbidden("Invalid or non-existent API token")
            if t.revoked_at is not None:
                raise Forbidden(
                    f"The API token {t.prefix}... was revoked ({t.revoked_reason or 'revoked'})"
                )
            if t.expires_at is not None and t.expires_at <= now:
                raise Forbidden(
                    f"The API token {t.prefix}... expired at {t.expires_at:%Y-%m-%d %H:%M} UTC"
                )
            user = t.user
            if user.disabled:
                raise Forbidden(f"The account {user.username!r} is disabled")
            if not user.totp_enabled:
                raise Forbidden(
                    f"Two-factor authentication is required to upload: the account "
                    f"{user.username!r} has no 2FA enabled"
                )
            t.last_used_at = now
            record(
                s, EventTag.TOKEN_USED, time=now, meta=meta, actor=user.username, token=str(t.id)
            )
            return Principal(_account(user), token_id=t.id, token_projects=tuple(t.projects or ()))

    # -- roles ---------------------------------------------------------------------------------

    def set_role(
        self,
        project: str,
        username: str,
        role: Role | None,
        *,
        actor: str,
        meta: RequestMeta | None = None,
    ) -> None:
        """Give ``username`` a role on ``project`` (None removes it)."""
        now = self.clock.now()
        name = canonicalize_name(project)
        with self.db.write() as s:
            user = self._user(s, username)
            proj = s.scalar(select(Project).where(Project.normalized_name == name))
            if proj is None:
                raise NotFound(f"no project {name!r}")
            row = s.scalar(
                select(ProjectRole).where(
                    ProjectRole.project_id == proj.id, ProjectRole.user_id == user.id
                )
            )
            if role is None:
                if row is not None:
                    owners = s.scalar(
                        select(func.count(ProjectRole.id)).where(
                            ProjectRole.project_id == proj.id, ProjectRole.role == Role.OWNER.value
                        )
                    )
                    if row.role == Role.OWNER.value and (owners or 0) <= 1:
                        raise Conflict(f"{username!r} is the last owner of {name!r}")
                    s.delete(row)
                    record(
                        s,
                        EventTag.ROLE_REMOVED,
                        time=now,
                        meta=meta,
                        actor=actor,
                        project=name,
                        user=user.username,
                    )
                return
            if row is None:
                s.add(ProjectRole(project_id=proj.id, user_id=user.id, role=role.value))
            else:
                row.role = role.value
            record(
                s,
                EventTag.ROLE_ADDED,
                time=now,
                meta=meta,
                actor=actor,
                project=name,
                user=user.username,
                role=role.value,
            )

    def role_of(self, s: Session, project_id: int, user_id: int) -> Role | None:
        value = s.scalar(
            select(ProjectRole.role).where(
                ProjectRole.project_id == project_id, ProjectRole.user_id == user_id
            )
        )
        return Role(value) if value else None
