"""Whether a person may answer a question of a pulse now: the check made at their click, before the
answer waits for its batch (services/pulse/answers.py)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.i18n import N_
from pulsebot.services.errors import Closed, NotAllowed, NotFound
from pulsebot.services.privacy.anonymity import answer_token
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.pulse.open_runs import OpenRuns, RunFacts, run_state
from pulsebot.services.pulse.pulses import QuestionView
from pulsebot.services.survey.snooze import snoozed_through
from pulsebot.store.models import Delivery, RunMember

GONE = N_("This pulse no longer exists, so your answer was not recorded.")


@dataclass(frozen=True)
class Answerable:
    """A question this person may answer now: the run's facts, the question, their token and cell."""

    run: RunFacts
    question: QuestionView
    respondent: str
    cell: int | None  # their cell of the run; None for a run without cells


def answerable(
    session: Session,
    *,
    run_id: int,
    question_id: int,
    user_id: str,
    key: bytes,
    now: datetime,
    is_admin: bool = False,
    runs: OpenRuns | None = None,
) -> Answerable:
    """Check that this person may answer this question of this run now, or refuse with the reason.

    The run's state is read every time; what cannot change while it is open comes from `runs` when the
    process read it lately (services/pulse/open_runs.py); what is about the person is read every time
    (their delivery and cell in one statement, whether they manage the team in another).

    Someone sent the run who has since come to see the team's results (made one of its managers or a
    pulsebot admin, `is_admin`) keeps their delivery, but it takes no answer of theirs any more unless the
    survey asks such people; the run's minimum counts them when it closes either way
    (services/pulse/closing.py)."""
    if runs is None:  # nothing kept: read it all (the demo, the tests' data)
        runs = OpenRuns(maxsize=1)
    state = run_state(session, run_id=run_id)
    if state is None:
        runs.forget(run_id)
        raise NotFound(GONE)
    if state.closed(now):
        runs.forget(run_id)
        closed_on = state.closed_at or state.closes_at
        timezone = state.timezone
        raise Closed(
            N_("This pulse closed on {day}; answers are no longer taken."),
            day=lambda tr: tr.day(closed_on, timezone),
        )
    run = runs.facts(session, run_id=run_id, state=state, now=now)
    question = run.questions.get(question_id)
    if question is None:
        raise NotFound(N_("That question is not part of this pulse, so nothing was recorded."))
    person = session.exec(
        select(
            Delivery.id,
            select(RunMember.cell)
            .where(RunMember.run_id == run_id, RunMember.user_id == user_id)
            .scalar_subquery(),
        )
        .where(Delivery.run_id == run_id, Delivery.user_id == user_id)
        .limit(1)
    ).first()
    if person is None:
        if snoozed_through(session, user_id=user_id, today=run.run_date) is not None:
            raise NotAllowed(
                N_(
                    "You paused your pulses, so this one was not sent to you and takes no answer of yours. "
                    "`/pulse snooze off` resumes them from the next pulse."
                )
            )
        raise NotAllowed(
            N_("This pulse is for the members of <#{channel}>, so your answer was not recorded."),
            channel=run.channel_id,
        )
    cell = person[1]
    if not run.managers_answer and sees_team_results(
        session, survey_id=run.survey_id, user_id=user_id, is_admin=is_admin
    ):
        raise NotAllowed(
            N_(
                "You can now see this team's results, so this pulse no longer takes your answer: you could "
                "tell yours apart in its figures. (An answer you gave before still counts.)"
            )
        )
    if run.secret is None:  # only a run from before per-run keys, not yet keyed by the scheduler
        raise Closed(N_("This pulse is being moved to a new kind of key; please answer again in a minute."))
    respondent = answer_token(key, run.secret, run_id=run_id, user_id=user_id)
    return Answerable(run=run, question=question, respondent=respondent, cell=cell)


def local_day(moment: datetime, timezone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%A %-d %B")
