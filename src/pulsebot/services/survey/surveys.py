"""Surveys and their questions: create or update from a spec, idempotent by survey name."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.digest.managers import managers_of, set_managers
from pulsebot.services.errors import Invalid, NotFound
from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.rotation import Rotation, rotation_for
from pulsebot.services.survey.schedules import next_open_times, open_trigger
from pulsebot.services.survey.survey_file import EnpsCadence, QuestionSpec, ShareResults, SurveySpec
from pulsebot.store.models import PulseRun, Question, QuestionKind, Survey


class ApplyOutcome(enum.StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


@dataclass(frozen=True)
class SurveySummary:
    name: str
    title: str
    channel_id: str
    delivery: str
    schedule: str | None
    timezone: str
    paused: bool
    questions: int
    open_days: int = 3
    per_person_local_time: bool = False
    reminders: tuple[str, ...] = ()
    next_open: datetime | None = None  # UTC; only when asked for with `now`, and not when paused
    drivers: int = 0  # the library's drivers it rotates through
    questions_per_pulse: int = 0
    cycle_runs: int = 0  # every driver is asked at least once in any this many runs
    enps_cadence: str | None = None

    @property
    def rotation_line(self) -> str | None:
        """What `survey apply` and the form say about the rotation, for a survey that uses the library."""
        if not self.drivers:
            return None
        pulses = "pulse" if self.cycle_runs == 1 else f"{self.cycle_runs} pulses"
        enps = f"; eNPS {self.enps_cadence.replace('_', ' ')}" if self.enps_cadence else ""
        return (
            f"{self.name}: {self.questions_per_pulse} library items a pulse from {self.drivers} drivers: "
            f"every driver is asked at least once every {pulses}{enps}"
        )


@dataclass(frozen=True)
class WantedQuestion:
    """A question a survey should have: one of its own, or a library item."""

    key: str
    kind: QuestionKind
    prompt: str
    options: str | None = None
    required: bool = False
    not_applicable: bool = False
    from_library: bool = False
    driver: str | None = None
    reversed: bool = False


def wanted_questions(spec: SurveySpec) -> list[WantedQuestion]:
    wanted = [
        WantedQuestion(
            key=q.key,
            kind=q.kind,
            prompt=q.prompt,
            options="\n".join(q.options) if q.options else None,
            required=q.required,
            not_applicable=q.not_applicable,
        )
        for q in spec.questions
    ]
    library = engagement_library()
    for driver in spec.library or []:
        for item in library.driver(driver).items:
            wanted.append(
                WantedQuestion(
                    key=item.id,
                    kind=QuestionKind.scale,
                    prompt=item.text,
                    not_applicable=spec.library_not_applicable,
                    from_library=True,
                    driver=driver,
                    reversed=item.reversed,
                )
            )
    if spec.enps_cadence is not None:
        wanted.append(
            WantedQuestion(
                key=library.enps.id, kind=QuestionKind.enps, prompt=library.enps.text, from_library=True
            )
        )
    return wanted


def apply_survey(session: Session, *, spec: SurveySpec, now: datetime) -> ApplyOutcome:
    survey = session.exec(select(Survey).where(Survey.name == spec.name)).first()
    outcome = ApplyOutcome.unchanged
    if survey is None:
        survey = Survey(name=spec.name, title="", channel_id="", created_at=now, updated_at=now)
        outcome = ApplyOutcome.created
    settings = {
        "title": spec.display_title,
        "channel_id": spec.channel,
        "delivery": spec.delivery,
        "schedule": spec.schedule,
        "timezone": spec.timezone,
        "open_days": spec.open_days,
        "per_person_local_time": spec.per_person_local_time,
        "reminders": "\n".join(spec.reminders) or None,
        "managers_answer": spec.managers_answer,
        "share_results_auto": spec.share_results is ShareResults.auto,
        "library_drivers": "\n".join(spec.library) if spec.library else None,
        "questions_per_pulse": spec.questions_per_pulse,
        "enps_cadence": spec.enps_cadence.value if spec.enps_cadence else None,
        "language": spec.language,
    }
    for field, value in settings.items():
        if getattr(survey, field) != value:
            setattr(survey, field, value)
            outcome = outcome if outcome is ApplyOutcome.created else ApplyOutcome.updated
    session.add(survey)
    session.flush()
    if (
        _apply_questions(session, survey_id=survey.id, specs=wanted_questions(spec))
        and outcome is ApplyOutcome.unchanged
    ):
        outcome = ApplyOutcome.updated
    if (
        set_managers(session, survey_id=survey.id, user_ids=spec.managers)
        and outcome is ApplyOutcome.unchanged
    ):
        outcome = ApplyOutcome.updated
    if outcome is not ApplyOutcome.unchanged:
        survey.updated_at = now
    return outcome


def _apply_questions(session: Session, *, survey_id: int, specs: list[WantedQuestion]) -> bool:
    """Bring the active questions in line with the spec. A changed wording or kind retires the old
    version and adds a new one, so answers to two wordings are never counted as one question."""
    existing = session.exec(select(Question).where(Question.survey_id == survey_id)).all()
    latest: dict[str, Question] = {}
    for question in existing:
        if question.key not in latest or question.version > latest[question.key].version:
            latest[question.key] = question
    changed = False
    wanted = {spec.key for spec in specs}
    for question in latest.values():
        if question.key not in wanted and question.active:
            question.active = False
            changed = True
    for position, spec in enumerate(specs):
        options = spec.options
        current = latest.get(spec.key)
        same_wording = (
            current is not None
            and current.kind == spec.kind
            and current.prompt == spec.prompt
            and current.options == options
        )
        library = (spec.from_library, spec.driver, spec.reversed)
        if same_wording:
            # Offering "N/A" or not changes no wording: the same question, whose earlier answers stay
            # comparable.
            now_as = (current.position, current.required, current.not_applicable, current.active)
            if now_as != (position, spec.required, spec.not_applicable, True) or library != (
                current.from_library,
                current.driver,
                current.reversed,
            ):
                current.position, current.required, current.active = position, spec.required, True
                current.not_applicable = spec.not_applicable
                current.from_library, current.driver, current.reversed = library
                changed = True
            continue
        if current is not None:
            current.active = False
        session.add(
            Question(
                survey_id=survey_id,
                key=spec.key,
                version=current.version + 1 if current else 1,
                position=position,
                kind=spec.kind,
                prompt=spec.prompt,
                options=options,
                required=spec.required,
                not_applicable=spec.not_applicable,
                from_library=spec.from_library,
                driver=spec.driver,
                reversed=spec.reversed,
            )
        )
        changed = True
    session.flush()
    return changed


def find_survey(session: Session, *, name: str) -> Survey:
    survey = session.exec(select(Survey).where(Survey.name == name)).first()
    if survey is None:
        raise NotFound(f"There is no survey called “{name}”.")
    return survey


def active_questions(session: Session, *, survey_id: int) -> list[Question]:
    query = (
        select(Question).where(Question.survey_id == survey_id, Question.active).order_by(Question.position)
    )
    return list(session.exec(query).all())


def list_surveys(session: Session, *, now: datetime | None = None) -> list[SurveySummary]:
    """Every survey; with `now`, each active scheduled one also says when its next run opens."""
    return [_summary(session, survey, now) for survey in session.exec(select(Survey).order_by(Survey.name))]


def survey_summary(session: Session, *, name: str, now: datetime | None = None) -> SurveySummary:
    return _summary(session, find_survey(session, name=name), now)


def _summary(session: Session, survey: Survey, now: datetime | None) -> SurveySummary:
    next_open = None
    if now is not None and survey.schedule and not survey.paused:
        trigger = open_trigger(
            schedule=survey.schedule,
            timezone=survey.timezone,
            per_person_local_time=survey.per_person_local_time,
        )
        next_open = next(iter(next_open_times(trigger, after=now)), None)
    rotation = survey_rotation(session, survey)
    own = [q for q in active_questions(session, survey_id=survey.id) if not q.from_library]
    return SurveySummary(
        name=survey.name,
        title=survey.title,
        channel_id=survey.channel_id,
        delivery=survey.delivery.value,
        schedule=survey.schedule,
        timezone=survey.timezone,
        paused=survey.paused,
        questions=len(own) + (rotation.per_pulse if rotation else 0),
        open_days=survey.open_days,
        per_person_local_time=survey.per_person_local_time,
        reminders=tuple((survey.reminders or "").splitlines()),
        next_open=next_open,
        drivers=len(rotation.drivers) if rotation else 0,
        questions_per_pulse=rotation.per_pulse if rotation else 0,
        cycle_runs=rotation.cycle_runs if rotation else 0,
        enps_cadence=survey.enps_cadence,
    )


def survey_rotation(session: Session, survey: Survey) -> Rotation | None:
    """The survey's rotation through its library drivers (their items as stored), or None."""
    if not survey.library_drivers:
        return None
    items: dict[str, list[str]] = {}
    for question in active_questions(session, survey_id=survey.id):
        if question.from_library and question.driver:
            items.setdefault(question.driver, []).append(question.key)
    drivers = [(driver, items[driver]) for driver in survey.library_drivers.splitlines() if driver in items]
    return rotation_for(survey.name, drivers, survey.questions_per_pulse)


def create_survey(session: Session, *, spec: SurveySpec, now: datetime) -> ApplyOutcome:
    """A new survey from the form; refuses a name that is taken (the form is not for overwriting)."""
    if session.exec(select(Survey.id).where(Survey.name == spec.name)).first() is not None:
        raise Invalid(
            f"There is already a survey called “{spec.name}”; `/pulse edit {spec.name}` changes it."
        )
    return apply_survey(session, spec=spec, now=now)


def update_survey(session: Session, *, spec: SurveySpec, now: datetime) -> ApplyOutcome:
    """An existing survey from the edit form; refuses if it was removed meanwhile."""
    find_survey(session, name=spec.name)
    return apply_survey(session, spec=spec, now=now)


def set_paused(session: Session, *, name: str, paused: bool, now: datetime) -> bool:
    """Pause or resume a survey's schedule; False when it already was in that state."""
    survey = find_survey(session, name=name)
    if survey.paused == paused:
        return False
    survey.paused, survey.updated_at = paused, now
    session.flush()
    return True


def survey_spec(session: Session, *, name: str) -> SurveySpec:
    """A stored survey as the spec that would create it, to prefill the edit form."""
    survey = find_survey(session, name=name)
    active = active_questions(session, survey_id=survey.id)
    questions = [
        QuestionSpec(
            key=question.key,
            kind=question.kind,
            prompt=question.prompt,
            options=question.options.splitlines() if question.options else None,
            required=question.required,
            not_applicable=question.not_applicable,
        )
        for question in active
        if not question.from_library
    ]
    return SurveySpec(
        name=survey.name,
        title=survey.title,
        channel=survey.channel_id,
        delivery=survey.delivery,
        schedule=survey.schedule,
        timezone=survey.timezone,
        open_days=survey.open_days,
        per_person_local_time=survey.per_person_local_time,
        reminders=(survey.reminders or "").splitlines(),
        questions=questions,
        managers=managers_of(session, survey_id=survey.id),
        managers_answer=survey.managers_answer,
        share_results=ShareResults.auto if survey.share_results_auto else ShareResults.manual,
        library=survey.library_drivers.splitlines() if survey.library_drivers else None,
        questions_per_pulse=survey.questions_per_pulse,
        enps=EnpsCadence(survey.enps_cadence) if survey.enps_cadence else EnpsCadence.off,
        library_not_applicable=any(q.not_applicable for q in active if q.from_library and q.driver),
        language=survey.language,
    )


@dataclass(frozen=True)
class SurveySchedule:
    """What the scheduler needs to open a survey's runs."""

    name: str
    schedule: str
    timezone: str
    per_person_local_time: bool


def active_schedules(session: Session) -> list[SurveySchedule]:
    """Surveys with a schedule that are not paused."""
    surveys = session.exec(
        select(Survey).where(Survey.schedule.is_not(None), Survey.paused.is_(False)).order_by(Survey.name)
    ).all()
    return [
        SurveySchedule(
            name=survey.name,
            schedule=survey.schedule,
            timezone=survey.timezone,
            per_person_local_time=survey.per_person_local_time,
        )
        for survey in surveys
    ]


def active_schedule(session: Session, *, name: str) -> SurveySchedule | None:
    """The survey's schedule, or None when it is gone, paused or sent by hand only."""
    return next((schedule for schedule in active_schedules(session) if schedule.name == name), None)


def run_opened_for(session: Session, *, name: str, scheduled_for: datetime) -> bool:
    """Has the survey's run for this fire time been opened (by any process, at any time)?"""
    found = session.exec(
        select(PulseRun.id)
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(Survey.name == name, PulseRun.scheduled_for == scheduled_for)
    ).first()
    return found is not None
