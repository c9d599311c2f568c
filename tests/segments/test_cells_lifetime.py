"""How large a run's cells must be, and how long who was in which one is kept: the run's minimum (a
manager asked raises it), until the key material is destroyed (legacy runs included) or retention purges
the run, whichever comes first; the cells themselves stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.services.privacy import retention
from pulsebot.services.pulse.answer_keys import key_legacy_runs
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import PulseRun, RunCell, RunMember, RunSecret
from tests.conftest import ANON_KEY
from tests.pulse_data import make_team, merge, people, run_week, scores
from tests.segments.people import put_people, stored_cells, team_of
from tests.segments.steps import CELLS_CHANNEL, SALES, SUPPORT, send_by_command

NOW = datetime(2027, 6, 16, 12, 0, tzinfo=UTC)
MANAGERS_SURVEY = f"""\
name: cells-pulse
title: Cells pulse
channel: {CELLS_CHANNEL}
managers: [U0SUPLEAD]
managers_answer: true
questions: [{{key: workload, kind: scale, prompt: My workload this week was manageable.}}]
"""


@pytest.mark.clock
@pytest.mark.usefixtures("cells_team")
def test_a_manager_asked_raises_the_size_every_cell_must_reach(slack, fake_slack, sessions):
    # The Support lead answers too (managers_answer), so the run's minimum is 5 + 1 and Sales (five
    # people) is too small a cell on its own.
    fake_slack.add_channel(CELLS_CHANNEL, [*SUPPORT, *SALES, "U0SUPLEAD", "UBOT"])
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(MANAGERS_SURVEY, source="cells.yml")[0], now=NOW)

    run = send_by_command(slack, fake_slack, sessions)

    assert run.managers_asked == 1
    stored = stored_cells(sessions, run.id)
    assert sorted(stored.members) == sorted([*SUPPORT, *SALES, "U0SUPLEAD"])
    assert min(stored.people.values()) >= 6
    # Sales and the lead on their own are "not recorded" together; Support keeps its cell.
    assert [labels.department for labels in stored.cells.values()] == [None, "Support"]
    assert stored.people == {0: len(SALES) + 1, 1: len(SUPPORT)}


def test_a_run_too_small_for_its_minimum_gets_no_cells(sessions):
    make_team(sessions, now=NOW - timedelta(days=30))
    team = people(4)
    put_people(sessions, team_of({"Support": team}))

    run_id = run_week(
        sessions, survey="team-pulse", opened=NOW, audience=team, answers=scores(team, [3, 4, 4, 2])
    )

    assert stored_cells(sessions, run_id).cells == {}
    assert stored_cells(sessions, run_id).members == {}


def test_retention_deletes_who_was_in_which_cell_even_if_the_key_material_is_kept_longer(sessions):
    make_team(sessions, now=NOW - timedelta(days=400))
    team = people(10)
    put_people(sessions, team_of({"Support": team[:5], "Sales": team[5:]}))
    answers = merge(
        scores(team, [4, 4, 5, 3, 4, 4, 3, 2, 4, 5]), scores(team, [9, 8, 7, 9, 10, 6, 8, 9, 7, 8], "enps")
    )
    old = run_week(
        sessions, survey="team-pulse", opened=NOW - timedelta(weeks=20), audience=team, answers=answers
    )
    recent = run_week(
        sessions, survey="team-pulse", opened=NOW - timedelta(weeks=1), audience=team, answers=answers
    )
    assert len(stored_cells(sessions, old).members) == len(team)

    # Retention after 100 days, while the reply window (and so the key material) would last a year.
    retention.run_retention(sessions, days=100, min_group=5, now=NOW)

    with sessions() as session:
        assert session.get(PulseRun, old).purged_at is not None
        assert session.get(RunSecret, old).secret is not None
        assert session.exec(select(RunMember).where(RunMember.run_id == old)).all() == []
        assert len(session.exec(select(RunCell).where(RunCell.run_id == old)).all()) == 2  # the cells stay
    assert len(stored_cells(sessions, recent).members) == len(team)  # a run not purged keeps its own


def test_a_run_from_before_per_run_keys_past_its_window_keeps_no_members(sessions):
    make_team(sessions, now=NOW - timedelta(days=400))
    team = people(10)
    put_people(sessions, team_of({"Support": team[:5], "Sales": team[5:]}))
    old = run_week(sessions, survey="team-pulse", opened=NOW - timedelta(days=90), audience=team)
    with transaction(sessions) as session:  # as a database from before per-run keys holds it
        session.delete(session.get(RunSecret, old))

    with transaction(sessions) as session:
        key_legacy_runs(session, key=ANON_KEY.encode(), now=NOW, window=timedelta(days=30))

    with sessions() as session:
        assert session.get(RunSecret, old).secret is None
        assert session.exec(select(RunMember)).all() == []
