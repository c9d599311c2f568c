"""The offline demo's closing of the loop, through the real services: last month the team lead rotated
the weekend shifts (done, shared with the team) and a refund-tracking idea shipped; two weeks before the
digest's week the lead started a refund-tool clinic on the weakest driver, and the team answered
"Is this helping?". The demo writes what the team's channel would read: the week's shared results and
last month's "You said, we did"."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from pulsebot.services.idea.idea_status import change_status as change_idea_status
from pulsebot.services.loop import helping
from pulsebot.services.loop.actions import change_status, create_action
from pulsebot.services.loop.sharing import record_share, team_summary
from pulsebot.services.loop.you_said import MonthPost, done_items
from pulsebot.services.privacy.roles import Role
from pulsebot.slack.blocks.sharing import summary_message
from pulsebot.slack.blocks.you_said import month_post_message
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import ActionStatus, FocusKind, Idea, IdeaStatus, Survey, TeamAction

LEAD = "U0LEAD"
CLINIC = "Refund-tool clinic every Thursday"
ROTATION = "Fair rotation of the weekend shifts"
# The team's answers to "Is this helping?" two weeks into the clinic: people who answered, and how.
HELPING = ["yes"] * 8 + ["not_yet"] * 11 + ["no"] * 3


def close_the_loop(
    sessions: SessionFactory, *, survey: str, manager: str, team: list[str], week: date, key: bytes
):
    """Plant last month's done action and shipped idea, and the clinic with its round of answers."""
    month_start = (week.replace(day=1) - timedelta(days=1)).replace(day=1)
    rotation_start = month_start + timedelta(days=3)
    _act(sessions, survey, manager, FocusKind.driver, "workload", ROTATION, start=rotation_start)
    _move(sessions, manager, ROTATION, ActionStatus.in_progress, at=rotation_start + timedelta(days=1))
    _move(sessions, manager, ROTATION, ActionStatus.done, at=rotation_start + timedelta(days=20))
    with transaction(sessions) as session:
        idea = session.exec(select(Idea).order_by(Idea.id)).first()
        change_idea_status(
            session,
            idea_id=idea.id,
            status=IdeaStatus.done,
            user_id=manager,
            role=Role.admin,
            now=_at(month_start + timedelta(days=12)),
        )
    clinic_start = week - timedelta(days=12)  # the Wednesday two weeks before the digest's week
    _act(sessions, survey, manager, FocusKind.driver, "customer", CLINIC, start=clinic_start)
    _move(sessions, manager, CLINIC, ActionStatus.in_progress, at=clinic_start)
    with transaction(sessions) as session:
        (round_,) = [
            r for r in helping.open_due_rounds(session, now=_at(clinic_start)) if r.action_text == CLINIC
        ]
        pending = [
            helping.prepare_helping_answer(
                session, check_id=round_.id, user_id=person, answer=choice, key=key, now=_at(clinic_start)
            )
            for person, choice in zip(team, HELPING, strict=False)
        ]
        helping.write_helping_answers(session, pending)
        helping.close_due_rounds(session, now=round_.closes_at, min_group=5, admins=())
        # The rotation's own "Did it help?" round, opened with it, closes unanswered: it shows nothing.


def channel_posts(
    sessions: SessionFactory, *, survey: str, manager: str, week: date, now: datetime, weeks: int
) -> str:
    """What the team's channel reads: the week's results shared from the digest, and last month's
    "You said, we did"."""
    with transaction(sessions) as session:
        summary = team_summary(session, survey_name=survey, week=week, now=now, min_group=5, weeks=weeks)
        _, shared = summary_message(summary, with_comments=False, shared_by=manager)
        # Recorded as "Share with the team" records it, so the kept database's reports know of it.
        found = session.exec(select(Survey).where(Survey.name == survey)).one()
        record_share(
            session,
            survey_name=survey,
            week=week,
            shared_by=manager,
            with_comments=False,
            now=now,
            channel_id=found.channel_id,
            message_ts="1.000001",
        )
        month = (week.replace(day=1) - timedelta(days=1)).replace(day=1)
        post = _month_post(session, survey=survey, month=month)
    _, said = month_post_message(post)
    return as_text(shared) + "\n" + as_text(said)


def as_text(blocks: list[dict]) -> str:
    """Block Kit as a reader sees it, roughly: headers, sections (and their fields) and context lines."""
    lines = []
    for block in blocks:
        if block["type"] == "header":
            lines += [block["text"]["text"], ""]
        elif block["type"] == "section":
            if "text" in block:
                lines.append(block["text"]["text"])
            lines += [field["text"].replace("\n", ": ") for field in block.get("fields", [])]
            lines.append("")
        elif block["type"] == "context":
            lines += [element["text"] for element in block["elements"]] + [""]
    return html.unescape("\n".join(lines).replace("*", ""))


def _month_post(session: Session, *, survey: str, month: date) -> MonthPost:
    found = session.exec(select(Survey).where(Survey.name == survey)).one()
    until = (month + timedelta(days=32)).replace(day=1)
    items = done_items(
        session, survey_ids=[found.id], since=_at(month), until=_at(until), timezone=found.timezone
    )
    return MonthPost(
        survey_id=found.id,
        survey_name=found.name,
        title=found.title,
        channel_id=found.channel_id,
        month=month,
        items=tuple(items),
    )


def _act(sessions, survey: str, manager: str, kind: FocusKind, key: str, text: str, *, start: date) -> None:
    with transaction(sessions) as session:
        create_action(
            session,
            survey_name=survey,
            focus_kind=kind,
            focus_key=key,
            text=text,
            owner_id=LEAD,
            due_on=start + timedelta(days=28),
            visible=True,
            created_by=manager,
            now=_at(start),
            today=start,
            min_group=5,
        )


def _move(sessions, manager: str, text: str, status: ActionStatus, *, at: date) -> None:
    with transaction(sessions) as session:
        action_id = session.exec(select(TeamAction.id).where(TeamAction.text == text)).one()
        change_status(session, action_id=action_id, status=status, reason=None, actor=manager, now=_at(at))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=UTC)
