"""Fixtures for the scheduler's jobs: the runtime they reach Slack and the database through."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulsebot import scheduling
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction


class ProcessDied(Exception):
    """Stands for the process being killed right after Slack took the message."""


def fail_once(monkeypatch, target, name: str, exception: type[Exception], *, times: int = 1) -> None:
    """Make `target.name` raise `exception` on its first `times` calls, then behave as before."""
    real = getattr(target, name)
    remaining = [times]

    def failing(*args, **kwargs):
        if remaining[0]:
            remaining[0] -= 1
            raise exception
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def apply(sessions, text: str) -> None:
    with transaction(sessions) as session:
        for spec in parse_surveys(text, source="surveys.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))


@pytest.fixture
def runtime(client, sessions, settings):
    """The jobs can run in this process, as under `pulsebot run` (without a scheduler thread)."""
    scheduling.install(scheduling.Runtime(client=client, sessions=sessions, settings=settings))
    yield
    scheduling.install(None)


@pytest.fixture
def paused_scheduler(client, sessions, settings):
    """A scheduler that keeps jobs but runs none of them."""
    scheduler = scheduling.create_scheduler()
    scheduling.install(
        scheduling.Runtime(client=client, sessions=sessions, scheduler=scheduler, settings=settings)
    )
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)
    scheduling.install(None)
