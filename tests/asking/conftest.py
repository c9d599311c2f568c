"""Fixtures for asking well: the workspace's working hours, holidays and weekly limit, and the jobs."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.people.attributes import Attributes
from pulsebot.services.people.people import import_people
from pulsebot.services.people.people_file import Imported
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery


@pytest.fixture
def office_settings(settings):
    """The default working hours (09:00–18:00, Monday to Friday), Berlin's public holidays for people
    whose site is Berlin, and at most two pulses a week."""
    return settings.model_copy(
        update={
            "working_hours": (time(9, 0), time(18, 0)),
            "working_days": frozenset(range(5)),
            "holiday_locations": {"berlin": "DE-BE"},
            "pulses_per_week": 2,
        }
    )


@pytest.fixture
def office_runtime(client, sessions, office_settings):
    """The jobs run in this process with the office's rules, as under `pulsebot run`."""
    scheduling.install(scheduling.Runtime(client=client, sessions=sessions, settings=office_settings))
    yield office_settings
    scheduling.install(None)


def located(sessions, sites: dict[str, str]) -> None:
    """The people import gives these people a site."""
    with transaction(sessions) as session:
        import_people(
            session,
            people=[Imported(user_id, Attributes(site=site)) for user_id, site in sites.items()],
            now=datetime(2027, 1, 1, tzinfo=UTC),
        )


def sent_to(fake_slack) -> list[str]:
    return sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))


def due_times(sessions, run_id: int) -> dict[str, datetime]:
    with sessions() as session:
        return {d.user_id: d.due_at for d in session.exec(select(Delivery).where(Delivery.run_id == run_id))}
