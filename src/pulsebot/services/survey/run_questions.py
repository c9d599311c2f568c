"""The questions a run asks. A survey without the library asks its active questions. A survey with the
library asks its own questions, then the items the rotation picks for the run's number
(services/survey/rotation.py), then the library's eNPS when its cadence says so; the choice is written down
when the run opens (`run_question`), so the whole team gets the same items and a later edit of the
survey never changes a run already out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.survey.survey_file import EnpsCadence
from pulsebot.services.survey.surveys import active_questions, survey_rotation
from pulsebot.store.models import PulseRun, Question, RunQuestion, Survey


def choose_for_new_run(session: Session, *, survey: Survey, run_date: date) -> list[Question]:
    """The questions of the survey's next run (call before the run is added); empty for a survey
    without the library, whose runs ask whatever is active."""
    rotation = survey_rotation(session, survey)
    if rotation is None:
        return []
    questions = active_questions(session, survey_id=survey.id)
    by_key = {question.key: question for question in questions if question.from_library}
    run_number = session.exec(select(func.count()).where(PulseRun.survey_id == survey.id)).one()
    chosen = [question for question in questions if not question.from_library]
    chosen += [by_key[key] for key in rotation.items_for_run(run_number)]
    enps = next((q for q in questions if q.from_library and q.driver is None), None)
    if enps is not None and _enps_due(session, survey=survey, enps=enps, run_date=run_date):
        chosen.append(enps)
    return chosen


def _enps_due(session: Session, *, survey: Survey, enps: Question, run_date: date) -> bool:
    cadence = EnpsCadence(survey.enps_cadence) if survey.enps_cadence else EnpsCadence.off
    if cadence is EnpsCadence.off:
        return False
    if cadence is EnpsCadence.every_pulse:
        return True
    if cadence is EnpsCadence.monthly:
        period_start = run_date.replace(day=1)
    else:
        period_start = date(run_date.year, 3 * ((run_date.month - 1) // 3) + 1, 1)
    asked = session.exec(
        select(RunQuestion.run_id)
        .join(PulseRun, PulseRun.id == RunQuestion.run_id)
        .join(Question, Question.id == RunQuestion.question_id)
        .where(
            PulseRun.survey_id == survey.id,
            PulseRun.run_date >= period_start,
            PulseRun.run_date <= run_date,
            Question.key == enps.key,
        )
        .limit(1)
    ).first()
    return asked is None


def record(session: Session, *, run_id: int, questions: list[Question]) -> None:
    session.add_all(
        RunQuestion(run_id=run_id, question_id=question.id, position=position)
        for position, question in enumerate(questions)
    )


def questions_of_run(session: Session, *, run: PulseRun) -> list[Question]:
    """What the run asks: its recorded questions, or (a survey without the library) the active ones."""
    recorded = session.exec(
        select(Question)
        .join(RunQuestion, RunQuestion.question_id == Question.id)
        .where(RunQuestion.run_id == run.id)
        .order_by(RunQuestion.position)
    ).all()
    if recorded:
        return list(recorded)
    return [q for q in active_questions(session, survey_id=run.survey_id) if not q.from_library]
