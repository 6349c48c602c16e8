"""Accounts: argon2id passwords, TOTP 2FA with single-use recovery codes, sessions, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from index.conftest import PASSWORD, OffsetClock, Publisher, fresh_code, make_publisher
from snakewarden.core.events import EventTag
from snakewarden.index.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    TooManyRequests,
    Unauthenticated,
)
from snakewarden.index.events import RequestMeta, read_events
from snakewarden.index.models import ApiToken, RecoveryCode, User
from snakewarden.index.security import token_digest
from snakewarden.index.web import IndexServices

META = RequestMeta(ip="198.51.100.1", user_agent="test")


def test_passwords_are_argon2id_and_secrets_are_stored_hashed(
    services: IndexServices, publisher: Publisher
) -> None:
    with services.db.read() as s:
        user = s.scalars(select(User)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        token = s.scalars(select(ApiToken)).one()
        assert token.token_hash == token_digest(publisher.token)
        codes = s.scalars(select(RecoveryCode.code_hash)).all()
    assert len(codes) == len(publisher.recovery_codes)
    assert not set(codes) & set(publisher.recovery_codes)
    assert publisher.token.startswith("sw-")


def test_user_validation(services: IndexServices) -> None:
    with pytest.raises(BadRequest, match="invalid user name"):
        services.accounts.create_user("-bad", "x@example.invalid", PASSWORD)
    with pytest.raises(BadRequest, match="invalid email"):
        services.accounts.create_user("ok", "not-an-email", PASSWORD)
    with pytest.raises(BadRequest, match="password"):
        services.accounts.create_user("ok", "x@example.invalid", "short")
    services.accounts.create_user("ok", "x@example.invalid", PASSWORD)
    with pytest.raises(Conflict, match="taken"):
        services.accounts.create_user("OK", "y@example.invalid", PASSWORD)


def test_two_factor_setup_needs_a_valid_code(services: IndexServices, clock: OffsetClock) -> None:
    services.accounts.create_user("zoe", "zoe@example.invalid", PASSWORD)
    secret, uri = services.accounts.begin_two_factor("zoe")
    assert uri.startswith("otpauth://totp/")
    assert "issuer=snakewarden" in uri
    with pytest.raises(Forbidden, match="not valid"):
        services.accounts.confirm_two_factor("zoe", "000000")
    codes = services.accounts.confirm_two_factor("zoe", fresh_code(services, clock, secret))
    assert len(codes) == 8
    assert services.accounts.get("zoe").two_factor
    with pytest.raises(Conflict):
        services.accounts.begin_two_factor("zoe")


def test_a_totp_code_works_once_and_recovery_codes_once(
    services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    code = fresh_code(services, clock, publisher.secret)
    services.accounts.create_token("alice", code)
    with pytest.raises(Forbidden, match="already used"):
        services.accounts.create_token("alice", code)
    recovery = publisher.recovery_codes[0]
    services.accounts.create_token("alice", recovery)
    with pytest.raises(Forbidden):
        services.accounts.create_token("alice", recovery)
    assert EventTag.RECOVERY_CODE_USED in {e.tag for e in read_events(services.db)}


def test_login_needs_password_and_code_and_is_rate_limited(
    services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    with pytest.raises(Unauthenticated, match="2FA"):
        services.accounts.login("alice", PASSWORD, None, meta=META)
    token, account = services.accounts.login(
        "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
    )
    principal = services.accounts.authenticate_session(token)
    assert principal.account == account
    assert principal.session_two_factor
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            services.accounts.login("alice", "wrong password!", "123456", meta=META)
    with pytest.raises(TooManyRequests):
        services.accounts.login(
            "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
        )
    clock.advance(timedelta(minutes=16))
    services.accounts.login(
        "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
    )
    failed = [e for e in read_events(services.db) if e.tag is EventTag.LOGIN_FAILED]
    assert len(failed) == 5
    assert all(e.ip == "198.51.100.1" for e in failed)


def test_sessions_expire_and_log_out(
    services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    token, _ = services.accounts.login(
        "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
    )
    services.accounts.logout(token)
    with pytest.raises(Unauthenticated):
        services.accounts.authenticate_session(token)
    token, _ = services.accounts.login(
        "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
    )
    clock.advance(timedelta(hours=13))
    with pytest.raises(Unauthenticated):
        services.accounts.authenticate_session(token)


def test_tokens_scopes_expiry_and_revocation(services: IndexServices, clock: OffsetClock) -> None:
    p = make_publisher(services, clock, "sam", projects=("Sw_Scoped",), expires_days=1)
    principal = services.accounts.authenticate_upload("__token__", p.token, META)
    assert principal.token_projects == ("sw-scoped",)
    assert principal.may_touch("sw-scoped")
    assert not principal.may_touch("other")
    (info,) = services.accounts.list_tokens("sam")
    assert info.expires_at is not None
    clock.advance(timedelta(days=1, seconds=1))
    with pytest.raises(Forbidden, match="expired"):
        services.accounts.authenticate_upload("__token__", p.token, META)
    with pytest.raises(BadRequest, match="expiry"):
        services.accounts.create_token(
            "sam", fresh_code(services, clock, p.secret), expires_days=-1
        )
    token, info = services.accounts.create_token("sam", fresh_code(services, clock, p.secret))
    services.accounts.revoke_token(info.id, actor="sam", reason="rotated", owner="sam")
    with pytest.raises(Forbidden, match="revoked"):
        services.accounts.authenticate_upload("__token__", token, META)


def test_uploads_need_a_token_not_a_password(services: IndexServices, publisher: Publisher) -> None:
    with pytest.raises(Forbidden, match="use an API token"):
        services.accounts.authenticate_upload("alice", PASSWORD, META)
    with pytest.raises(Forbidden, match="start with"):
        services.accounts.authenticate_upload("__token__", PASSWORD, META)


def test_resetting_2fa_revokes_tokens(services: IndexServices, publisher: Publisher) -> None:
    services.accounts.disable_two_factor("alice", actor="root")
    with pytest.raises(Forbidden, match="revoked"):
        services.accounts.authenticate_upload("__token__", publisher.token, META)
    assert EventTag.TWO_FACTOR_DISABLED in {e.tag for e in read_events(services.db)}


def test_password_and_email_changes_are_logged_and_end_sessions(
    services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    session, _ = services.accounts.login(
        "alice", PASSWORD, fresh_code(services, clock, publisher.secret), meta=META
    )
    with pytest.raises(Forbidden, match="current password is wrong"):
        services.accounts.set_password("alice", "another long one", actor="alice", old_password="x")
    services.accounts.set_password(
        "alice", "another long one", actor="alice", old_password=PASSWORD, meta=META
    )
    with pytest.raises(Unauthenticated):
        services.accounts.authenticate_session(session)
    services.accounts.login(
        "alice", "another long one", fresh_code(services, clock, publisher.secret), meta=META
    )
    services.accounts.set_email("alice", "new@example.invalid", actor="alice", meta=META)
    assert services.accounts.get("alice").email == "new@example.invalid"
    events = read_events(services.db)
    changed = next(e for e in events if e.tag is EventTag.EMAIL_CHANGED)
    assert changed.detail("old") == "alice@example.invalid"
    assert EventTag.PASSWORD_RESET in {e.tag for e in events}
