"""Who manages which team. A team is a survey's audience; its managers are named in the survey's YAML."""

from __future__ import annotations

from sqlmodel import Session, select

from pulsebot.store.models import Survey, SurveyManager


def set_managers(session: Session, *, survey_id: int, user_ids: list[str]) -> bool:
    """Make the survey's managers exactly `user_ids`; True when that changed anything."""
    current = set(
        session.exec(select(SurveyManager.user_id).where(SurveyManager.survey_id == survey_id)).all()
    )
    wanted = set(user_ids)
    for user_id in current - wanted:
        session.delete(session.get(SurveyManager, (survey_id, user_id)))
    session.add_all(
        SurveyManager(survey_id=survey_id, user_id=user_id) for user_id in sorted(wanted - current)
    )
    session.flush()
    return current != wanted


def managers_of(session: Session, *, survey_id: int) -> list[str]:
    query = select(SurveyManager.user_id).where(SurveyManager.survey_id == survey_id)
    return sorted(session.exec(query).all())


def surveys_managed_by(session: Session, *, user_id: str) -> list[str]:
    """The names of the surveys whose team this person manages."""
    query = (
        select(Survey.name)
        .join(SurveyManager, SurveyManager.survey_id == Survey.id)
        .where(SurveyManager.user_id == user_id)
        .order_by(Survey.name)
    )
    return list(session.exec(query).all())


def all_managers(session: Session, *, include_paused: bool = True) -> dict[str, list[str]]:
    """Survey name → its managers, for every survey that has any."""
    query = (
        select(Survey.name, SurveyManager.user_id)
        .join(SurveyManager, SurveyManager.survey_id == Survey.id)
        .order_by(Survey.name, SurveyManager.user_id)
    )
    if not include_paused:
        query = query.where(Survey.paused.is_(False))
    rows = session.exec(query).all()
    managers: dict[str, list[str]] = {}
    for name, user_id in rows:
        managers.setdefault(name, []).append(user_id)
    return managers
