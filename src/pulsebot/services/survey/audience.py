"""Who a run asks: the channel's members, minus the team's own managers unless the survey asks them too.

A manager who answers their own team's pulse can subtract their answer from the team's figures, so a
group of five with its manager in it is a group of four to that manager. By default the managers named in
the survey are therefore left out of its audience. A survey may opt them in (`managers_answer: true`);
then the run records how many of them it asked, and its minimum group is raised by that many (their
answers cannot be told apart, so they must never be what lifts a run over the minimum).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.digest.managers import managers_of
from pulsebot.services.survey.surveys import find_survey
from pulsebot.store.models import Delivery, PulseRun


@dataclass(frozen=True)
class RunAudience:
    people: list[str]  # who the run asks
    managers_asked: int  # the survey's managers among them (only when the survey opts them in)


def run_audience(session: Session, *, survey_name: str, members: Iterable[str]) -> RunAudience:
    """The people a run of this survey asks, out of its channel's `members`."""
    survey = find_survey(session, name=survey_name)
    managers = set(managers_of(session, survey_id=survey.id))
    members = sorted(set(members))
    if survey.managers_answer:
        return RunAudience(people=members, managers_asked=len(managers.intersection(members)))
    return RunAudience(people=[person for person in members if person not in managers], managers_asked=0)


def latest_run(session: Session, *, survey_id: int) -> PulseRun | None:
    """The team's latest run (runs are numbered as they open)."""
    return session.exec(
        select(PulseRun).where(PulseRun.survey_id == survey_id).order_by(PulseRun.id.desc()).limit(1)
    ).first()


def teams_of(session: Session, *, user_id: str) -> set[int]:
    """The surveys whose latest run was sent to this person: the teams they are in now."""
    latest = select(func.max(PulseRun.id)).group_by(PulseRun.survey_id)
    rows = session.exec(
        select(PulseRun.survey_id)
        .join(Delivery, Delivery.run_id == PulseRun.id)
        .where(PulseRun.id.in_(latest), Delivery.user_id == user_id)
    ).all()
    return set(rows)


def run_minimum(min_group: int, managers_asked: int | None) -> int:
    """How many distinct people a run (or anything its team answers) needs before it may count: the
    minimum group, plus each manager asked with the team (`managers_answer`), who knows their own answer."""
    return min_group + (managers_asked or 0)


def record_managers_asked(session: Session, *, run_id: int, managers_asked: int) -> None:
    """Keep on the run how many managers it asked, in the transaction that opened it: its minimum group
    follows from it, and neither a later change of managers nor forgetting one of them may lower it."""
    session.get(PulseRun, run_id).managers_asked = managers_asked
    session.flush()


def managers_in_channel_line(
    session: Session,
    *,
    survey_name: str,
    members: Iterable[str],
    min_group: int,
    mention: Callable[[str], str] = str,
) -> str | None:
    """One plain line when some of the survey's managers are members of its channel, else None."""
    survey = find_survey(session, name=survey_name)
    present = sorted(set(managers_of(session, survey_id=survey.id)).intersection(members))
    if not present:
        return None
    who = ", ".join(mention(user_id) for user_id in present)
    are = "is" if len(present) == 1 else "are"
    if survey.managers_answer:
        return (
            f"{survey_name}: its manager{'s' if len(present) > 1 else ''} {who} {are} in its channel and "
            f"will be asked too (managers_answer), so its figures need {min_group} + {len(present)} = "
            f"{min_group + len(present)} people answering."
        )
    return (
        f"{survey_name}: its manager{'s' if len(present) > 1 else ''} {who} {are} in its channel and will "
        "not be asked, so no manager's answer hides among the team's (managers_answer: true asks them)."
    )
