"""Action plans: what a team's managers will do about one of its results, who owns it and by when.

Only the team's managers (named in its survey) and pulsebot admins may plan or move a team's actions.
Statuses: planned → in progress → done, or dropped (from planned or in progress) with a reason; done and
dropped are final. Every creation and change is written to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from pulsebot.services.api import webhooks
from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.errors import FieldErrors, Invalid, NotAllowed, NotFound
from pulsebot.services.loop.focus import FocusOption, focus_options
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.survey.surveys import find_survey
from pulsebot.store.among import among
from pulsebot.store.models import ActionStatus, AuditAction, FocusKind, Survey, TeamAction

TEXT_MAX_CHARS = 300
REASON_MAX_CHARS = 500
FURTHEST_DUE = timedelta(days=365)
FINISHED_SHOWN_FOR = timedelta(days=30)  # App Home keeps done and dropped actions this long
OPEN = (ActionStatus.planned, ActionStatus.in_progress)
FINAL = (ActionStatus.done, ActionStatus.dropped)
LABELS = {
    ActionStatus.planned: "Planned",
    ActionStatus.in_progress: "In progress",
    ActionStatus.done: "Done",
    ActionStatus.dropped: "Dropped",
}
NEXT = {
    ActionStatus.planned: (ActionStatus.in_progress, ActionStatus.dropped),
    ActionStatus.in_progress: (ActionStatus.done, ActionStatus.dropped),
    ActionStatus.done: (),
    ActionStatus.dropped: (),
}
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,19}")


@dataclass(frozen=True)
class ActionLine:
    """One action as the manager, the team and the CLI read it."""

    id: int
    survey_name: str
    team_title: str
    channel: str  # the team's channel
    timezone: str
    focus_kind: FocusKind
    focus_label: str
    text: str
    owner_id: str
    due_on: date
    visible: bool
    status: ActionStatus
    reason: str | None
    created_by: str
    finished_at: datetime | None
    channel_id: str | None  # where its post is, when the team sees it
    message_ts: str | None

    @property
    def final(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class ActionChange:
    action: ActionLine
    previous: ActionStatus
    changed_by: str


def may_manage(session: Session, *, survey_id: int, user_id: str, is_admin: bool) -> bool:
    return sees_team_results(session, survey_id=survey_id, user_id=user_id, is_admin=is_admin)


def manageable_teams(session: Session, *, user_id: str) -> list[str]:
    """The teams whose actions this person plans (the ones they manage)."""
    return surveys_managed_by(session, user_id=user_id)


def check_may_plan(session: Session, *, survey_name: str, user_id: str, is_admin: bool) -> Survey:
    """The survey, when this person may plan its team's actions; NotAllowed otherwise."""
    survey = find_survey(session, name=survey_name)
    if not may_manage(session, survey_id=survey.id, user_id=user_id, is_admin=is_admin):
        raise NotAllowed(
            f"Only the managers of “{survey.name}” and pulsebot admins can plan its team's actions."
        )
    return survey


def team_today(session: Session, *, survey_name: str, now: datetime) -> date:
    """Today in the team's time zone: what due dates are measured against."""
    return now.astimezone(ZoneInfo(find_survey(session, name=survey_name).timezone)).date()


@dataclass(frozen=True)
class CheckedAction:
    """An action that passed every check pulsebot can make from what it holds."""

    survey: Survey
    focus: FocusOption
    text: str


def check_action(
    session: Session,
    *,
    survey_name: str,
    focus_kind: FocusKind | None,
    focus_key: str,
    text: str,
    owner_id: str,
    due_on: date | None,
    created_by: str,
    now: datetime,
    today: date,
    min_group: int,
    is_admin: bool = False,
    errors: dict[str, str] | None = None,
) -> CheckedAction:
    """Check everything but what only Slack knows (whether the owner is a person still there); FieldErrors
    names every field that is wrong, with `errors` the caller found. Nothing is written."""
    survey = check_may_plan(session, survey_name=survey_name, user_id=created_by, is_admin=is_admin)
    problems = dict(errors or {})
    text = _field_problems(problems, text=text, owner_id=owner_id, due_on=due_on, today=today)
    options = focus_options(session, survey_name=survey.name, now=now, min_group=min_group)
    focus = options.find(focus_kind, focus_key) if focus_kind is not None else None
    if focus is None:
        problems["focus"] = (
            f"Choose what it is about from the list: one of the drivers, questions or comment themes "
            f"of “{survey.title}”."
        )
    if problems:  # every problem at once, each beside its field; nothing is written
        raise FieldErrors(problems)
    return CheckedAction(survey=survey, focus=focus, text=text)


def _field_problems(
    problems: dict[str, str], *, text: str, owner_id: str, due_on: date | None, today: date
) -> str:
    """Add to `problems` what is wrong with what will be done, its owner and its due date (the rules of
    planning and of editing alike); the text as it will be kept."""
    text = " ".join((text or "").split())
    if not text:
        problems["text"] = "Say what will be done."
    elif len(text) > TEXT_MAX_CHARS:
        problems["text"] = f"Keep it to {TEXT_MAX_CHARS} characters (this is {len(text)})."
    if not _SLACK_USER.fullmatch(owner_id or ""):
        problems.setdefault("owner", "Choose who owns it.")
    if due_on is None:
        problems["due"] = "Choose a due date."
    elif due_on < today:
        problems["due"] = "The due date has passed: choose today or a later day."
    elif due_on > today + FURTHEST_DUE:
        problems["due"] = "Choose a due date within a year: a shorter step is easier to follow."
    return text


def create_action(
    session: Session,
    *,
    survey_name: str,
    focus_kind: FocusKind | None,
    focus_key: str,
    text: str,
    owner_id: str,
    due_on: date | None,
    visible: bool,
    created_by: str,
    now: datetime,
    today: date,
    min_group: int,
    is_admin: bool = False,
    errors: dict[str, str] | None = None,
) -> ActionLine:
    """Check everything (check_action), then write the action and its audit entry; nothing is written
    when a check fails."""
    checked = check_action(
        session,
        survey_name=survey_name,
        focus_kind=focus_kind,
        focus_key=focus_key,
        text=text,
        owner_id=owner_id,
        due_on=due_on,
        created_by=created_by,
        now=now,
        today=today,
        min_group=min_group,
        is_admin=is_admin,
        errors=errors,
    )
    survey, focus, text = checked.survey, checked.focus, checked.text
    action = TeamAction(
        survey_id=survey.id,
        focus_kind=focus.kind,
        focus_key=focus.key,
        focus_label=focus.label,
        text=text,
        owner_id=owner_id,
        due_on=due_on,
        visible=visible,
        created_by=created_by,
        started_on=today,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor=created_by,
        action=AuditAction.action_created,
        scope=survey.name,
        now=now,
        detail=f"action #{action.id} about {focus.kind.value} {focus.label}, due {due_on.isoformat()}",
    )
    line = _line(action, survey)
    webhooks.queue_event(
        session, "action.changed", action_event(line, previous=None), now=now, team_id=action.team_id
    )
    return line


def edit_action(
    session: Session,
    *,
    action_id: int,
    text: str,
    owner_id: str,
    due_on: date | None,
    actor: str,
    now: datetime,
    today: date,
    is_admin: bool = False,
    errors: dict[str, str] | None = None,
) -> ActionLine:
    """Change what an open action will do, who owns it and by when, with the rules of planning it; what it
    is about stays. FieldErrors names every field that is wrong, and nothing is written then."""
    action, survey = _action(session, action_id)
    if not may_manage(session, survey_id=survey.id, user_id=actor, is_admin=is_admin):
        raise NotAllowed(f"Only the managers of “{survey.name}” and pulsebot admins can change its actions.")
    if action.status in FINAL:
        raise Invalid(f"This action is already {LABELS[action.status].lower()}: that is final.")
    problems = dict(errors or {})
    text = _field_problems(problems, text=text, owner_id=owner_id, due_on=due_on, today=today)
    if problems:
        raise FieldErrors(problems)
    changed = [
        what
        for what, before, after in (
            ("text", action.text, text),
            ("owner", action.owner_id, owner_id),
            ("due date", action.due_on, due_on),
        )
        if before != after
    ]
    if not changed:
        return _line(action, survey)
    if action.due_on != due_on:  # a new due date earns its reminders again
        action.reminded_before = action.reminded_due = False
    action.text, action.owner_id, action.due_on, action.updated_at = text, owner_id, due_on, now
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=AuditAction.action_changed,
        scope=survey.name,
        now=now,
        detail=f"action #{action.id}: {', '.join(changed)} edited",
    )
    return _line(action, survey)


def check_change(
    session: Session, *, action_id: int, status: ActionStatus, actor: str, is_admin: bool
) -> ActionLine:
    """The action, when this person may move it to `status` from where it is; a Refusal otherwise."""
    action, survey = _action(session, action_id)
    if not may_manage(session, survey_id=survey.id, user_id=actor, is_admin=is_admin):
        raise NotAllowed(f"Only the managers of “{survey.name}” and pulsebot admins can change its actions.")
    if status not in NEXT[action.status]:
        if action.status in FINAL:
            raise Invalid(f"This action is already {LABELS[action.status].lower()}: that is final.")
        raise Invalid(f"A {LABELS[action.status].lower()} action cannot be marked {LABELS[status].lower()}.")
    return _line(action, survey)


def change_status(
    session: Session,
    *,
    action_id: int,
    status: ActionStatus,
    reason: str | None,
    actor: str,
    now: datetime,
    is_admin: bool = False,
) -> ActionChange:
    check_change(session, action_id=action_id, status=status, actor=actor, is_admin=is_admin)
    action, survey = _action(session, action_id)
    reason = " ".join((reason or "").split()) or None
    if status is ActionStatus.dropped:
        if reason is None:
            raise Invalid("Say why it is dropped: the team will read it.", field="reason")
        if len(reason) > REASON_MAX_CHARS:
            raise Invalid(f"Keep the reason to {REASON_MAX_CHARS} characters.", field="reason")
    else:
        reason = None
    previous = action.status
    action.status, action.status_reason, action.updated_at = status, reason, now
    if status in FINAL:
        action.finished_at = now
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=AuditAction.action_changed,
        scope=survey.name,
        now=now,
        detail=f"action #{action.id}: {previous.value} → {status.value}",
    )
    line = _line(action, survey)
    webhooks.queue_event(
        session, "action.changed", action_event(line, previous=previous), now=now, team_id=action.team_id
    )
    return ActionChange(action=line, previous=previous, changed_by=actor)


def action_event(line: ActionLine, *, previous: ActionStatus | None) -> dict:
    """What a webhook hears of an action: what the team's post of it says; `previous` None when planned."""
    return {
        "action": action_fields(line),
        "previous": previous.value if previous is not None else None,
    }


def action_fields(line: ActionLine) -> dict:
    """An action as the API and webhooks give it: no one but its owner is named, as in the team's post."""
    return {
        "id": line.id,
        "team": line.survey_name,
        "about": {"kind": line.focus_kind.value, "label": line.focus_label},
        "text": line.text,
        "owner": line.owner_id,
        "due_on": line.due_on.isoformat(),
        "status": line.status.value,
        "reason": line.reason,
        "shared_with_team": line.visible,
        "finished_at": line.finished_at.isoformat() if line.finished_at else None,
    }


def keep_post(session: Session, *, action_id: int, channel_id: str, message_ts: str) -> None:
    """Where the team's post of the action is, so its status can be updated there."""
    action = session.get(TeamAction, action_id)
    if action is not None:
        action.channel_id, action.message_ts = channel_id, message_ts
        session.add(action)
        session.flush()


def action_line(session: Session, *, action_id: int) -> ActionLine:
    return _line(*_action(session, action_id))


def actions_of(
    session: Session,
    *,
    survey_names: list[str] | None,
    statuses: tuple[ActionStatus, ...] | None = None,
    finished_since: datetime | None = None,
) -> list[ActionLine]:
    """The actions of the named teams (every team with None), open ones first by due date. With
    `finished_since`, done and dropped actions only when they finished since then."""
    query = select(TeamAction, Survey).join(Survey, Survey.id == TeamAction.survey_id)
    if survey_names is not None:
        if not survey_names:
            return []
        query = query.where(among(Survey.name, survey_names))
    if statuses is not None:
        query = query.where(TeamAction.status.in_(statuses))
    if finished_since is not None:
        query = query.where(TeamAction.status.in_(OPEN) | (TeamAction.finished_at >= finished_since))
    rows = session.exec(query.order_by(Survey.name, TeamAction.due_on, TeamAction.id)).all()
    lines = [_line(action, survey) for action, survey in rows]
    return sorted(lines, key=lambda line: (line.survey_name, line.final, line.due_on, line.id))


def _action(session: Session, action_id: int) -> tuple[TeamAction, Survey]:
    action = session.get(TeamAction, action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    return action, session.get(Survey, action.survey_id)


def _line(action: TeamAction, survey: Survey) -> ActionLine:
    return ActionLine(
        id=action.id,
        survey_name=survey.name,
        team_title=survey.title,
        channel=survey.channel_id,
        timezone=survey.timezone,
        focus_kind=action.focus_kind,
        focus_label=action.focus_label,
        text=action.text,
        owner_id=action.owner_id,
        due_on=action.due_on,
        visible=action.visible,
        status=action.status,
        reason=action.status_reason,
        created_by=action.created_by,
        finished_at=action.finished_at,
        channel_id=action.channel_id,
        message_ts=action.message_ts,
    )


@dataclass(frozen=True)
class HomeActions:
    show: bool  # nothing at all for someone who manages no team and is no admin
    teams: tuple[tuple[str, str], ...]  # the teams the person manages: (survey name, title)
    actions: tuple[ActionLine, ...]


def home_actions(session: Session, *, user_id: str, is_admin: bool, now: datetime) -> HomeActions:
    """App Home's actions: a manager's teams', an admin's every team's; open ones, and the ones finished
    in the last 30 days."""
    managed = surveys_managed_by(session, user_id=user_id)
    if not managed and not is_admin:
        return HomeActions(show=False, teams=(), actions=())
    titles = dict(session.exec(select(Survey.name, Survey.title).where(among(Survey.name, managed))).all())
    actions = actions_of(
        session, survey_names=None if is_admin else managed, finished_since=now - FINISHED_SHOWN_FOR
    )
    return HomeActions(
        show=True, teams=tuple((name, titles.get(name, name)) for name in managed), actions=tuple(actions)
    )
