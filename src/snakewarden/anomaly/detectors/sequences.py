"""Account-takeover detectors: sequences of weak signals on one account (pure).

Each combines a precursor (novel access, fresh token, weakened 2FA, recovery, new maintainer)
with a sensitive action (an upload, most of all) into one alert that lists every event involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from snakewarden.anomaly.alerts import Alert, SubjectKind
from snakewarden.anomaly.detectors.base import Context, ago, make_alert, pairs, when
from snakewarden.anomaly.detectors.state import AccountState, Mark
from snakewarden.core.events import EventTag
from snakewarden.core.models import Severity

UPLOAD = frozenset({EventTag.FILE_UPLOADED})
SENSITIVE = frozenset(
    {
        EventTag.FILE_UPLOADED,
        EventTag.TOKEN_CREATED,
        EventTag.TWO_FACTOR_DISABLED,
        EventTag.EMAIL_CHANGED,
        EventTag.ROLE_ADDED,
    }
)
ACCESS = frozenset(
    {
        EventTag.LOGIN,
        EventTag.TOKEN_USED,
        EventTag.FILE_UPLOADED,
        EventTag.TOKEN_CREATED,
        EventTag.PASSWORD_RESET,
        EventTag.RECOVERY_CODE_USED,
        EventTag.EMAIL_CHANGED,
        EventTag.TWO_FACTOR_DISABLED,
        EventTag.ROLE_ADDED,
    }
)


def _describe(mark: Mark) -> str:
    parts = [f"{mark.tag.value} at {when(mark.time)}"]
    if mark.project:
        parts.append(f"project {mark.project}")
    if mark.network:
        parts.append(f"from {mark.network}")
    if mark.novelty:
        parts.append("new " + "+".join(mark.novelty))
    return ", ".join(parts)


def _subject(ctx: Context, action: Mark) -> tuple[SubjectKind, str]:
    if action.tag is EventTag.FILE_UPLOADED and action.project:
        return SubjectKind.PROJECT, action.project
    return SubjectKind.ACCOUNT, ctx.event.actor or "?"


def _dormant(ctx: Context, project: str | None, before: Mark) -> timedelta | None:
    if project is None:
        return None
    state = ctx.world.projects.get(project)
    if state is None:
        return None
    last = state.last_release_before(before.time)
    if last is None:
        return None
    gap = before.time - last
    return gap if gap >= timedelta(days=180) else None


def _novel_network(mark: Mark) -> bool:
    return "network" in mark.novelty and not mark.cloud


def same_time_uploads(ctx: Context) -> list[Mark]:
    """Uploads by the account at the current timestamp, scored before the current event."""
    if ctx.account is None:
        return []
    found = []
    for m in reversed(ctx.account.recent):
        if m.time < ctx.now:
            break
        if m.tag is EventTag.FILE_UPLOADED and m is not ctx.mark:
            found.append(m)
    return found[::-1]


def session_novelty(
    ctx: Context, mark: Mark, account: AccountState | None = None
) -> tuple[str, ...]:
    """What was new about the session ``mark`` belongs to: the novelty of every event from the
    same network in the session window (an attacker's first event teaches the network, so later
    ones in the session look familiar on their own). ``account`` defaults to the event's."""
    account = account or ctx.account
    if account is None or mark.network is None or mark.cloud:
        return tuple(n for n in mark.novelty if n == "agent") if mark.cloud else mark.novelty
    start = mark.time - ctx.config.session_window
    found = dict.fromkeys(mark.novelty)
    for other in reversed(account.recent):
        if other.time < start:
            break
        if other.network == mark.network and other.time <= mark.time and not other.cloud:
            found.update(dict.fromkeys(other.novelty))
    return tuple(n for n in ("network", "country", "agent") if n in found)


class SuspiciousSession:
    """An access new in two ways (network, country, agent), then a sensitive action from it.

    From cloud ranges only a new agent counts as novelty: CI runners change address and region.
    """

    id = "suspicious-session"

    def observe(self, ctx: Context) -> Iterator[Alert]:
        mark = ctx.mark
        if mark is None or mark.tag not in ACCESS:
            return
        found = [(mark, mark)] if mark.tag in SENSITIVE and len(mark.novelty) >= 2 else []
        found.extend(
            (pre, act)
            for pre, act in pairs(ctx, ctx.config.session_window, ACCESS, SENSITIVE)
            if len(pre.novelty) >= 2 and pre.network == act.network
        )
        done: set[str] = set()
        for pre, act in found:
            if act.event_id in done or self._vouched(ctx, pre, act):
                continue
            done.add(act.event_id)
            yield self._alert(ctx, [pre, act] if pre is not act else [act], act)

    def _vouched(self, ctx: Context, pre: Mark, act: Mark) -> bool:
        """An earlier login from the action's network with a device the account used before the
        session.

        Travellers log in from hotels with their own laptop; a thief with a stolen token or
        password does not have the victim's device (its user agent).
        """
        account = ctx.account
        if account is None or act.network is None:
            return False
        start = act.time - ctx.config.session_window
        for m in account.recent:
            if m.tag is not EventTag.LOGIN or m.network != act.network or m.agent is None:
                continue
            if not start <= m.time < act.time:  # strictly before: order-free at equal times
                continue
            since = account.agent_since.get(m.agent)
            if since is not None and since < pre.time:
                return True
        return False

    def _alert(self, ctx: Context, marks: list[Mark], act: Mark) -> Alert:
        kind, subject = _subject(ctx, act)
        upload = act.tag is EventTag.FILE_UPLOADED
        novel = sorted({n for m in marks for n in m.novelty})
        evidence = [("account", ctx.event.actor or "?"), ("new for the account", ", ".join(novel))]
        evidence.extend((f"event {i + 1}", _describe(m)) for i, m in enumerate(marks))
        return make_alert(
            self.id,
            Severity.HIGH if upload else Severity.MEDIUM,
            kind,
            subject,
            f"{act.tag.value} from a session new to account {ctx.event.actor} "
            f"(new {' + '.join(novel)})",
            evidence,
            [m.event_id for m in marks],
            act.time,
            act.event_id,
            [act.project] if upload and act.project else [],
        )


class FreshTokenElsewhere:
    """A token created, then used within minutes from another, unknown, non-cloud network."""

    id = "fresh-token-elsewhere"
    window = timedelta(minutes=30)
    uses = frozenset({EventTag.TOKEN_USED, EventTag.FILE_UPLOADED})

    def observe(self, ctx: Context) -> Iterator[Alert]:
        mark = ctx.mark
        if mark is None or mark.tag not in (self.uses | {EventTag.TOKEN_CREATED}):
            return
        for pre, act in pairs(ctx, self.window, frozenset({EventTag.TOKEN_CREATED}), self.uses):
            if act.cloud or act.network is None or pre.network in (None, act.network):
                continue
            if pre.detail and act.detail and pre.detail != act.detail:
                continue  # another token
            account = ctx.account
            if account is not None and account.networks.seen_before(act.network, act.time):
                continue
            yield make_alert(
                self.id,
                Severity.HIGH if act.project else Severity.MEDIUM,
                SubjectKind.ACCOUNT,
                ctx.event.actor or "?",
                f"token of {ctx.event.actor} used {ago(act.time - pre.time)} after its creation "
                f"from another network",
                [
                    ("account", ctx.event.actor or "?"),
                    ("created", _describe(pre)),
                    ("used", _describe(act)),
                ],
                [pre.event_id, act.event_id],
                act.time,
                act.event_id,
                [act.project] if act.project else [],
            )
            return


class WeakenedTwoFactorUpload:
    """2FA disabled, or a recovery code used from a new network, then an upload within a day."""

    id = "2fa-weakened-then-upload"
    window = timedelta(hours=24)
    precursors = frozenset({EventTag.TWO_FACTOR_DISABLED, EventTag.RECOVERY_CODE_USED})

    def observe(self, ctx: Context) -> Iterator[Alert]:
        mark = ctx.mark
        if mark is None or mark.tag not in (self.precursors | UPLOAD):
            return
        for pre, act in pairs(ctx, self.window, self.precursors, UPLOAD):
            recovery = pre.tag is EventTag.RECOVERY_CODE_USED
            if recovery and not (
                "network" in session_novelty(ctx, pre) or "network" in session_novelty(ctx, act)
            ):
                continue
            what = "recovery code used from a new network" if recovery else "2FA disabled"
            yield make_alert(
                self.id,
                Severity.HIGH,
                SubjectKind.PROJECT,
                act.project or "?",
                f"upload {ago(act.time - pre.time)} after {what} on account {ctx.event.actor}",
                [
                    ("account", ctx.event.actor or "?"),
                    ("weakened", _describe(pre)),
                    ("upload", _describe(act)),
                ],
                [pre.event_id, act.event_id],
                act.time,
                act.event_id,
                [act.project] if act.project else [],
            )


class RecoveryThenUpload:
    """Password reset or email change, then an upload, with corroboration.

    Corroboration: both a reset and an email change, a session new to the account, or a dormant
    project (the pattern of the 2022 expired-domain takeovers).
    """

    id = "account-recovery-then-upload"
    window = timedelta(hours=72)
    precursors = frozenset({EventTag.PASSWORD_RESET, EventTag.EMAIL_CHANGED})

    def observe(self, ctx: Context) -> Iterator[Alert]:
        mark, account = ctx.mark, ctx.account
        if mark is None or account is None or mark.tag not in ACCESS:
            return
        # Any event may corroborate an upload at the same timestamp scored before it:
        # evaluate those again too (order-free within a timestamp).
        uploads = same_time_uploads(ctx)
        if mark.tag is EventTag.FILE_UPLOADED:
            uploads.append(mark)
        for act in uploads:
            alert = self._evaluate(ctx, act)
            if alert is not None:
                yield alert

    def _evaluate(self, ctx: Context, act: Mark) -> Alert | None:
        account = ctx.account
        assert account is not None
        start = act.time - self.window
        pres = [
            m for m in account.recent if m.tag in self.precursors and start <= m.time <= act.time
        ]
        if not pres:
            return None
        first = pres[0]
        session = [
            m
            for m in account.recent
            if first.time <= m.time <= act.time and m.tag in ACCESS and _novel_network(m)
        ]
        kinds = {p.tag for p in pres}
        dormant = _dormant(ctx, act.project, first)
        reasons: list[str] = []
        if len(kinds) == 2:
            reasons.append("both the email and the password changed")
        if session:
            reasons.append(f"{len(session)} event(s) from a network new to the account")
        if dormant is not None:
            reasons.append(f"project {act.project} had no release for {ago(dormant)}")
        if not reasons:
            return None
        marks = list({id(m): m for m in [*pres, *session[:3], act]}.values())
        evidence = [("account", ctx.event.actor or "?"), ("why", "; ".join(reasons))]
        evidence.extend((f"event {i + 1}", _describe(m)) for i, m in enumerate(marks))
        return make_alert(
            self.id,
            Severity.HIGH,
            SubjectKind.PROJECT,
            act.project or "?",
            f"upload {ago(act.time - first.time)} after account recovery "
            f"({', '.join(sorted(k.value for k in kinds))}) on account {ctx.event.actor}",
            evidence,
            [m.event_id for m in marks],
            act.time,
            act.event_id,
            [act.project] if act.project else [],
        )


class NewMaintainerRelease:
    """A maintainer added to an established project, then a release by them within a day.

    Alerts when the new maintainer's account is young, the project was dormant, or the release
    comes from a session new to that account.
    """

    id = "new-maintainer-release"
    window = timedelta(hours=24)

    def observe(self, ctx: Context) -> Iterable[Alert]:
        event = ctx.event
        if event.tag is EventTag.ROLE_ADDED and event.project:
            added = event.detail("user") or event.detail("target")
            if not added or added == event.actor:
                return []
            project = ctx.world.project(event.project, ctx.now)
            if project.last_release_before(ctx.now) is None:
                return []  # a brand-new project staffing up: not a takeover pattern
            project.members_added[added] = (ctx.now, event.id)
            target = ctx.world.accounts.get(added)
            if target is None:
                return []
            same_time = [
                m
                for m in target.recent
                if m.time == ctx.now
                and m.tag is EventTag.FILE_UPLOADED
                and m.project == event.project
            ]
            found = [self._check(ctx, added, m) for m in same_time]
            return [a for a in found if a is not None][:1]
        mark = ctx.mark
        if mark is None or mark.tag is not EventTag.FILE_UPLOADED or not mark.project:
            return []
        alert = self._check(ctx, event.actor or "", mark)
        return [alert] if alert else []

    def _check(self, ctx: Context, member: str, upload: Mark) -> Alert | None:
        project = ctx.world.projects.get(upload.project or "")
        if project is None or member not in project.members_added:
            return None
        added_at, added_id = project.members_added[member]
        if not (added_at <= upload.time <= added_at + self.window):
            return None
        account = ctx.world.accounts.get(member)
        reasons: list[str] = []
        if account is not None and account.age(added_at) < ctx.config.young_account:
            reasons.append(f"account {member} is {ago(account.age(added_at))} old")
        last = project.last_release_before(added_at)
        if last is not None and added_at - last >= timedelta(days=180):
            reasons.append(f"the project had no release for {ago(added_at - last)}")
        if account is not None and "network" in session_novelty(ctx, upload, account):
            reasons.append("the release came from a network new to the account")
        if not reasons:
            return None
        return make_alert(
            self.id,
            Severity.HIGH,
            SubjectKind.PROJECT,
            upload.project or "?",
            f"{member} added to {upload.project} then released within "
            f"{ago(upload.time - added_at)}",
            [
                ("maintainer added", f"{member} at {when(added_at)}"),
                ("release", _describe(upload)),
                ("why", "; ".join(reasons)),
            ],
            [added_id, upload.event_id],
            upload.time,
            upload.event_id,
            [upload.project] if upload.project else [],
        )


class DormantRelease:
    """A new release after long dormancy, by a recent newcomer or from a new session.

    Dormancy is relative to the project's own rhythm: at least a year, and beyond
    ``median + 6 sigma`` of its past gaps between releases.
    """

    id = "dormant-release"

    def observe(self, ctx: Context) -> Iterator[Alert]:
        mark, account = ctx.mark, ctx.account
        if mark is None or account is None:
            return
        uploads = same_time_uploads(ctx)
        if mark.tag is EventTag.FILE_UPLOADED:
            uploads.append(mark)
        for upload in uploads:
            alert = self._evaluate(ctx, upload)
            if alert is not None:
                yield alert

    def _evaluate(self, ctx: Context, mark: Mark) -> Alert | None:
        account = ctx.account
        if account is None or not mark.project:
            return None
        project = ctx.world.projects.get(mark.project)
        if project is None or project.released_before(mark.version, mark.time):
            return None
        last = project.last_release_before(mark.time)
        if last is None:
            return None
        gap = mark.time - last
        gaps = project.gaps_before(mark.time)
        limit = max(
            ctx.config.dormancy.total_seconds(), gaps.threshold(6.0, 0.0) if gaps.warm else 0.0
        )
        if gap.total_seconds() < limit:
            return None
        newcomer = not account.uploaded_projects.seen_before(mark.project, mark.time)
        if newcomer:
            # A long-standing co-maintainer reviving the project is routine; a newcomer counts
            # when the account or its role on the project is recent.
            added = project.members_added.get(ctx.event.actor or "")
            recent = timedelta(days=90)
            newcomer = account.age(mark.time) < recent or (
                added is not None and mark.time - added[0] < recent
            )
        # Addresses change over a long dormancy: a new network alone is not enough.
        session = session_novelty(ctx, mark)
        novel = "network" in session and len(session) >= 2
        if not (newcomer or novel):
            return None
        reasons = []
        if newcomer:
            reasons.append(
                f"{ctx.event.actor}, new to the project or the index, never uploaded to "
                f"{mark.project} before"
            )
        if novel:
            reasons.append("uploaded from a session new to the account: new " + "+".join(session))
        return make_alert(
            self.id,
            Severity.HIGH,
            SubjectKind.PROJECT,
            mark.project,
            f"{mark.project} released after {ago(gap)} of dormancy",
            [
                ("last release", when(last)),
                ("usual gap", ago(timedelta(seconds=gaps.median())) if gaps.warm else "unknown"),
                ("release", _describe(mark)),
                ("why", "; ".join(reasons)),
            ],
            [mark.event_id],
            mark.time,
            mark.event_id,
            [mark.project],
        )
