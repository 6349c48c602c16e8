"""Each detector on small hand-written sequences: the attack fires, the look-alike does not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from anomaly_fixtures import BROWSER, CI, CLOUD, OFFICE, THIEF, TWINE, EventFactory

from snakewarden.anomaly.alerts import Alert, SubjectKind, uploads_held
from snakewarden.anomaly.detectors import Engine
from snakewarden.core.events import Event, EventTag
from snakewarden.core.models import Severity

History = Callable[..., list[Event]]


def run(events: list[Event]) -> list[Alert]:
    return Engine().scan(events)


def detectors(alerts: list[Alert]) -> set[str]:
    return {a.detector for a in alerts}


def test_quiet_history_raises_nothing(history: History) -> None:
    assert run(history()) == []


def test_stolen_token_upload_from_new_network_country_and_client(
    ev: EventFactory, history: History
) -> None:
    attack = [
        ev(EventTag.TOKEN_USED, at=timedelta(hours=1), ip=THIEF, ua="python-requests/2.31",
           country="BR", project="alpaca", token="t1"),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=1, seconds=1), ip=THIEF,
           ua="python-requests/2.31", country="BR", project="alpaca", version="9.9", id="up"),
    ]  # fmt: skip
    alerts = run(history() + attack)
    [alert] = [a for a in alerts if a.detector == "suspicious-session"]
    assert alert.severity is Severity.HIGH
    assert (alert.subject_kind, alert.subject) == (SubjectKind.PROJECT, "alpaca")
    assert "up" in alert.event_ids
    assert "new for the account" in alert.explanation
    assert "203.0.113.0/24" in alert.explanation
    assert uploads_held("alpaca", alerts)
    assert not uploads_held("other", alerts)


def test_traveller_with_own_laptop_is_vouched(ev: EventFactory, history: History) -> None:
    trip = [
        ev(EventTag.LOGIN, at=timedelta(hours=1), ip=THIEF, country="JP"),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=2), ip=THIEF, country="JP", ua=BROWSER,
           project="alpaca", version="2.0"),
    ]  # fmt: skip
    assert "suspicious-session" not in detectors(run(history() + trip))


def test_ci_upload_from_cloud_is_not_novel(ev: EventFactory, history: History) -> None:
    ci = [
        ev(EventTag.TOKEN_USED, at=timedelta(hours=1), ip=CLOUD, ua=CI, country="US",
           project="alpaca"),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=1), ip=CLOUD, ua=CI, country="US",
           project="alpaca", version="2.0"),
    ]  # fmt: skip
    assert run(history() + ci) == []


def test_fresh_token_used_elsewhere(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.TOKEN_CREATED, at=timedelta(hours=1), token="t9"),
        ev(EventTag.TOKEN_USED, at=timedelta(hours=1, minutes=4), ip=THIEF, ua=TWINE,
           project="alpaca", token="t9"),
    ]  # fmt: skip
    alerts = [a for a in run(history() + seq) if a.detector == "fresh-token-elsewhere"]
    assert len(alerts) == 1
    assert alerts[0].subject == "alice"
    assert "after its creation" in alerts[0].title


def test_fresh_token_used_by_ci_is_fine(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.TOKEN_CREATED, at=timedelta(hours=1), token="t9"),
        ev(EventTag.TOKEN_USED, at=timedelta(hours=1, minutes=4), ip=CLOUD, ua=CI,
           project="alpaca", token="t9"),
    ]  # fmt: skip
    assert run(history() + seq) == []


def test_2fa_disabled_then_upload(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.TWO_FACTOR_DISABLED, at=timedelta(hours=1)),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=5), ua=TWINE, project="alpaca",
           version="3.0"),
    ]  # fmt: skip
    [alert] = run(history() + seq)
    assert alert.detector == "2fa-weakened-then-upload"
    assert alert.severity is Severity.HIGH
    assert "2FA disabled" in alert.title


def test_recovery_code_at_home_then_upload_is_fine(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.RECOVERY_CODE_USED, at=timedelta(hours=1)),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=5), ua=TWINE, project="alpaca",
           version="3.0"),
    ]  # fmt: skip
    assert run(history(last=20) + seq) == []


def test_password_reset_login_elsewhere_then_dormant_upload(
    ev: EventFactory, history: History
) -> None:
    where = {"ip": THIEF, "ua": "curl/8.5", "country": "SG"}
    seq = [
        ev(EventTag.PASSWORD_RESET, at=timedelta(hours=1), **where),
        ev(EventTag.LOGIN, at=timedelta(hours=1, minutes=2), **where),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=2), project="alpaca", version="4.0",
           **where),
    ]  # fmt: skip
    alerts = run(history() + seq)
    assert {"account-recovery-then-upload", "suspicious-session", "dormant-release"} <= detectors(
        alerts
    )
    recovery = next(a for a in alerts if a.detector == "account-recovery-then-upload")
    assert "no release for" in recovery.explanation


def test_password_reset_at_home_then_upload_is_fine(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.PASSWORD_RESET, at=timedelta(hours=1)),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=2), ua=TWINE, project="alpaca",
           version="4.0"),
    ]  # fmt: skip
    assert run(history(last=20) + seq) == []


def test_email_change_and_reset_then_upload(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.EMAIL_CHANGED, at=timedelta(hours=1)),
        ev(EventTag.PASSWORD_RESET, at=timedelta(hours=2)),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=3), ua=TWINE, project="alpaca",
           version="4.0"),
    ]  # fmt: skip
    [alert] = run(history(last=20) + seq)
    assert alert.detector == "account-recovery-then-upload"
    assert "both the email and the password changed" in alert.explanation


def test_new_maintainer_of_dormant_project_releases(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.USER_CREATED, "mallory", at=timedelta(days=-2), ip=THIEF),
        ev(EventTag.ROLE_ADDED, "alice", at=timedelta(hours=1), project="alpaca", user="mallory",
           role="Maintainer"),
        ev(EventTag.FILE_UPLOADED, "mallory", at=timedelta(hours=6), ip=THIEF, project="alpaca",
           version="5.0"),
    ]  # fmt: skip
    alerts = run(history() + seq)
    alert = next(a for a in alerts if a.detector == "new-maintainer-release")
    assert "mallory added to alpaca" in alert.title
    assert "2 days old" in alert.explanation


def test_creator_becoming_owner_of_new_project_is_fine(ev: EventFactory) -> None:
    seq = [
        ev(EventTag.USER_CREATED, "bob"),
        ev(EventTag.PROJECT_CREATED, "bob", at=timedelta(hours=1), project="newthing"),
        ev(EventTag.ROLE_ADDED, "bob", at=timedelta(hours=1), project="newthing", user="bob"),
        ev(EventTag.FILE_UPLOADED, "bob", at=timedelta(hours=1), project="newthing",
           version="0.1"),
    ]  # fmt: skip
    assert run(seq) == []


def test_dormant_release_by_owner_from_home_is_fine(ev: EventFactory, history: History) -> None:
    seq = [ev(EventTag.FILE_UPLOADED, at=timedelta(hours=1), ua=TWINE, project="alpaca",
              version="6.0")]  # fmt: skip
    assert run(history() + seq) == []


def test_dormant_release_by_recent_newcomer(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.LOGIN, "carol", at=timedelta(days=-400), ip=OFFICE),
        ev(EventTag.ROLE_ADDED, at=timedelta(days=-30), project="alpaca", user="carol"),
        ev(EventTag.FILE_UPLOADED, "carol", at=timedelta(hours=1), ip=OFFICE, ua=TWINE,
           project="alpaca", version="6.0"),
    ]  # fmt: skip
    [alert] = run(history() + seq)
    assert alert.detector == "dormant-release"
    assert "never uploaded to alpaca before" in alert.explanation


def test_dormant_release_by_long_standing_comaintainer_is_fine(
    ev: EventFactory, history: History
) -> None:
    seq = [
        ev(EventTag.LOGIN, "carol", at=timedelta(days=-400), ip=OFFICE),
        ev(EventTag.FILE_UPLOADED, "carol", at=timedelta(hours=1), ip=OFFICE, ua=TWINE,
           project="alpaca", version="6.0"),
    ]  # fmt: skip
    assert run(history() + seq) == []


def _creations(
    ev: EventFactory, actor: str, names: list[str], *, ip: str, step: int
) -> list[Event]:
    return [
        ev(EventTag.PROJECT_CREATED, actor, at=timedelta(seconds=step * i), project=n, ip=ip)
        for i, n in enumerate(names)
    ]


def test_young_account_creating_projects_fast(ev: EventFactory) -> None:
    seq = [ev(EventTag.USER_CREATED, "eve", at=timedelta(days=-1))]
    seq += _creations(ev, "eve", ["aa-one", "bb-two", "cc-three"], ip=THIEF, step=60)
    [alert] = run(seq)
    assert alert.detector == "account-burst"
    assert alert.severity is Severity.HIGH


def test_old_account_release_day_within_its_baseline(ev: EventFactory) -> None:
    seq = [ev(EventTag.USER_CREATED, "org", at=timedelta(days=-900))]
    names = [f"fam-{i}" for i in range(30)]
    seq += [  # the family grew one project at a time
        ev(EventTag.FILE_UPLOADED, "org", at=timedelta(days=-400 + 5 * i), project=n,
           version="0.1", ua=TWINE)
        for i, n in enumerate(names)
    ]  # fmt: skip
    for week in range(7):  # then 30 packages released together, every week
        for i, n in enumerate(names):
            seq.append(ev(EventTag.FILE_UPLOADED, "org", at=timedelta(days=-49 + 7 * week,
                          seconds=i), project=n, version=f"1.{week}", ua=TWINE))  # fmt: skip
    # its own portfolio at once while the baseline is cold, then within the learned habit
    assert "account-burst" not in detectors(run(seq))


def test_established_account_releasing_beyond_its_portfolio(ev: EventFactory) -> None:
    seq = [ev(EventTag.USER_CREATED, "org", at=timedelta(days=-900))]
    seq += [
        ev(EventTag.FILE_UPLOADED, "org", at=timedelta(days=-100 + i), project=f"own-{i}",
           version="1.0", ua=TWINE)
        for i in range(2)
    ]  # fmt: skip
    seq += [
        ev(EventTag.FILE_UPLOADED, "org", at=timedelta(seconds=20 * i), project=f"many-{i}",
           version="1.0", ua=TWINE)
        for i in range(40)
    ]  # fmt: skip
    [alert] = [a for a in run(seq) if a.detector == "account-burst"]
    assert "releases from account org within an hour" in alert.title


def test_campaign_accounts_from_one_network(ev: EventFactory) -> None:
    seq = []
    for i in range(3):
        seq.append(ev(EventTag.USER_CREATED, f"bot{i}", at=timedelta(minutes=2 * i), ip=THIEF))
        seq.append(ev(EventTag.PROJECT_CREATED, f"bot{i}", at=timedelta(minutes=2 * i + 1),
                      project=f"thing-{i}", ip=THIEF))  # fmt: skip
    alerts = run(seq)
    alert = next(a for a in alerts if a.detector == "network-burst")
    assert alert.subject == "203.0.113.0/24"
    assert alert.severity is Severity.HIGH
    assert "registered within the hour" in alert.title


def test_typosquat_burst(ev: EventFactory) -> None:
    seq = _creations(ev, "sq", ["reqeusts", "pandsa", "my-own-tool"], ip=THIEF, step=300)
    alerts = [a for a in run(seq) if a.detector == "typosquat-burst"]
    assert alerts
    assert "reqeusts (like requests)" in alerts[0].explanation
    assert "pandsa (like pandas)" in alerts[0].explanation


def test_single_lookalike_is_left_to_the_index(ev: EventFactory) -> None:
    seq = _creations(ev, "sq", ["reqeusts"], ip=THIEF, step=300)
    assert "typosquat-burst" not in detectors(run(seq))


def test_download_spike_of_young_project_from_few_networks(ev: EventFactory) -> None:
    seq = [ev(EventTag.PROJECT_CREATED, "bob", at=timedelta(days=-2), project="young")]
    seq += [
        ev(EventTag.FILE_DOWNLOADED, None, at=timedelta(seconds=5 * i), project="young",
           ip=f"203.0.113.{i % 50}", ua="pip/24.0")
        for i in range(400)
    ]  # fmt: skip
    alerts = [a for a in run(seq) if a.detector == "download-spike"]
    assert len(alerts) == 1
    assert alerts[0].subject == "young"
    assert "1 network(s)" in alerts[0].title


def test_viral_young_project_from_many_networks_is_fine(ev: EventFactory) -> None:
    seq = [ev(EventTag.PROJECT_CREATED, "bob", at=timedelta(days=-2), project="young")]
    seq += [
        ev(EventTag.FILE_DOWNLOADED, None, at=timedelta(seconds=5 * i), project="young",
           ip=f"{10 + i % 200}.{i % 97}.{i % 13}.1", ua="pip/24.0")
        for i in range(400)
    ]  # fmt: skip
    assert run(seq) == []


def test_mass_yank_across_projects(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.RELEASE_YANKED, at=timedelta(hours=1, seconds=i), project=f"p{i % 4}",
           version=f"1.{i}")
        for i in range(12)
    ]  # fmt: skip
    [alert] = run(history() + seq)
    assert alert.detector == "mass-removal"
    assert "across 4 project(s)" in alert.title


def test_cleanup_of_one_project_is_fine(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.FILE_DELETED, at=timedelta(hours=1, seconds=i), project="alpaca",
           version=f"0.{i}")
        for i in range(30)
    ]  # fmt: skip
    assert run(history() + seq) == []


def test_registration_surge_against_seasonal_baseline(ev: EventFactory) -> None:
    seq = []
    for week in range(3):  # two quiet weeks teach the usual rate for this hour
        for i in range(2):
            actor = f"w{week}u{i}"
            at = timedelta(weeks=week, minutes=10 * i)
            seq.append(ev(EventTag.USER_CREATED, actor, at=at, ip=f"192.0.2.{i + 3 * week}"))
            seq.append(ev(EventTag.PROJECT_CREATED, actor, at=at, project=f"p-{week}-{i}",
                          ip=f"192.0.2.{i + 3 * week}"))  # fmt: skip
    for i in range(25):  # then a flood from all over (no single network)
        actor = f"flood{i}"
        at = timedelta(weeks=3, minutes=i)
        ip = f"{20 + i}.{i}.{i}.1"
        seq.append(ev(EventTag.USER_CREATED, actor, at=at, ip=ip))
        seq.append(ev(EventTag.PROJECT_CREATED, actor, at=at, project=f"flood-{i}", ip=ip))
    alerts = [a for a in run(seq) if a.detector == "registration-surge"]
    assert len(alerts) == 1
    assert "usual for this hour of the week" in alerts[0].title


def test_cooldown_keeps_one_alert_per_subject(ev: EventFactory) -> None:
    seq = [ev(EventTag.USER_CREATED, "eve", at=timedelta(days=-1))]
    seq += _creations(ev, "eve", [f"x-{i}" for i in range(10)], ip=THIEF, step=30)
    assert len([a for a in run(seq) if a.detector == "account-burst"]) == 1


def test_admin_disabling_2fa_is_about_the_user(ev: EventFactory, history: History) -> None:
    seq = [
        ev(EventTag.TWO_FACTOR_DISABLED, "admin", at=timedelta(hours=1), user="alice"),
        ev(EventTag.FILE_UPLOADED, at=timedelta(hours=2), ua=TWINE, project="alpaca",
           version="7.0"),
    ]  # fmt: skip
    assert "2fa-weakened-then-upload" in detectors(run(history() + seq))


def test_out_of_order_event_is_scored_at_latest_time(ev: EventFactory) -> None:
    engine = Engine()
    engine.feed(ev(EventTag.LOGIN, at=timedelta(hours=2)))
    engine.feed(ev(EventTag.LOGIN, at=timedelta(hours=1)))
    assert engine.events_seen == 2


@pytest.mark.parametrize("tag", list(EventTag))
def test_every_tag_with_missing_fields_is_harmless(ev: EventFactory, tag: EventTag) -> None:
    bare = ev(tag, None, ip=None, ua=None, country=None)
    odd = ev(tag, "x", ip="999.1.1.1", ua="{", country="zz", project="p")
    assert Engine().scan([bare, odd]) == [] or True
