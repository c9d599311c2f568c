"""Forget-me and retention cover people's attributes: forgetting someone deletes their `person` row and
the cells they were in (`run_member`) and takes their name off their reports' rows, in their workspace
only; retention deletes profile attributes Slack has not confirmed for PULSEBOT_RETENTION_DAYS. Neither
leaves a copy in the stored bytes or the planner's statistics."""

from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.privacy import retention
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditEntry, Person, PulseRun, RunMember
from pulsebot.store.scoping import scoped_sessions
from tests.conftest import PINNED_NOW
from tests.pulse_data import a_closed_and_an_open_run, make_team, people, run_week
from tests.stored_bytes import analyze, statistics_holding, where_found

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
LEAVER = "U07LEAVER42"  # shaped like a real Slack id, so the bytes cannot match by accident
MEMBERS = [LEAVER, *people(5)]
REPORTS = MEMBERS[1:3]
THEIR_TEAM = "Skunkworks Lab"  # no one else's department
OTHER_WORKSPACE = "T0OTHER"
TABLES = ("person", "run_member")


def person(user_id: str, *, updated_at=NOW, source: str = "csv", **attributes) -> Person:
    return Person(user_id=user_id, source=source, updated_at=updated_at, **attributes)


def leaver_with_attributes(sessions, *, elsewhere: bool = False) -> None:
    """The leaver's attributes, two people reporting to them, and the cells of two runs they were asked
    in; with `elsewhere`, the same Slack id in another workspace too (an Enterprise Grid id)."""
    make_team(sessions, now=NOW - timedelta(days=30))
    a_closed_and_an_open_run(sessions, members=MEMBERS, now=NOW)
    with transaction(sessions) as session:
        session.add(person("U0BOSS", department="Board"))
        session.add(person(LEAVER, department=THEIR_TEAM, division="Research", manager_id="U0BOSS"))
        for member in MEMBERS[1:]:
            manager = LEAVER if member in REPORTS else "U0BOSS"
            session.add(person(member, department="Support", manager_id=manager))
        for run_id in session.exec(select(PulseRun.id)).all():
            for cell, member in enumerate(MEMBERS):
                session.add(RunMember(run_id=run_id, user_id=member, cell=cell % 2))
    if elsewhere:
        theirs = scoped_sessions(sessions, OTHER_WORKSPACE)
        make_team(theirs, now=NOW - timedelta(days=30))
        run_id = run_week(
            theirs, survey="team-pulse", opened=NOW - timedelta(hours=1), audience=MEMBERS, close=False
        )
        with transaction(theirs) as session:
            session.add(person(LEAVER, department="Elsewhere"))
            session.add(person(MEMBERS[1], manager_id=LEAVER))
            session.add(RunMember(run_id=run_id, user_id=LEAVER, cell=0))


def forget_me(slack, fake_slack) -> str:
    slack.command("/pulse", "forget-me", user=LEAVER)
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=LEAVER)
    return fake_slack.wait_for("response_url")[-1]["text"]


def rows(sessions) -> dict:
    with sessions() as session:
        return {
            "people": {(p.team_id, p.user_id): p.manager_id for p in session.exec(select(Person)).all()},
            "cells": sorted((m.run_id, m.user_id) for m in session.exec(select(RunMember)).all()),
            "runs": dict(session.exec(select(PulseRun.id, PulseRun.team_id)).all()),
        }


def test_forget_me_deletes_their_attributes_and_cells_and_unlinks_their_reports_in_their_workspace(
    slack, fake_slack, sessions
):
    leaver_with_attributes(sessions, elsewhere=True)

    said = forget_me(slack, fake_slack)

    assert said.startswith("*Done: pulsebot has forgotten you.*")
    assert "• Deleted the HR attributes pulsebot held for you" in said
    found = rows(sessions)
    assert ("", LEAVER) not in found["people"]
    assert (
        {user_id: found["people"][("", user_id)] for user_id in MEMBERS[1:]}
        == {
            **dict.fromkeys(REPORTS, None),  # their line now ends below the leaver
            **dict.fromkeys(MEMBERS[3:], "U0BOSS"),
        }
    )
    assert [run for run, user_id in found["cells"] if user_id == LEAVER and found["runs"][run] == ""] == []
    assert len([cell for cell in found["cells"] if cell[1] != LEAVER]) == 2 * 5 + 0  # everyone else's stay
    # The other workspace's rows are another person's, or the same person's there: not this forgetting's.
    assert found["people"][(OTHER_WORKSPACE, LEAVER)] is None
    assert found["people"][(OTHER_WORKSPACE, MEMBERS[1])] == LEAVER
    assert [user_id for run, user_id in found["cells"] if found["runs"][run] == OTHER_WORKSPACE] == [LEAVER]
    with sessions() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "forget")).one()
    assert "1 HR attribute records, 2 run cells, 2 reporting lines unlinked" in entry.detail
    assert LEAVER not in f"{entry.actor} {entry.scope} {entry.detail}"


def test_the_cli_forgets_their_attributes_too(cli_env, sessions):
    leaver_with_attributes(sessions)

    result = CliRunner().invoke(cli, ["forget", LEAVER, "--yes"], env={**cli_env, "COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"forgot {LEAVER}: deleted 2 pulse records, 0 votes, 0 signed ideas unlinked, 0 digest notices, "
        "0 conversations, 1 HR attribute records, 2 run cells, 2 reporting lines unlinked"
    )
    assert ("", LEAVER) not in rows(sessions)["people"]


def test_after_forget_me_their_attributes_are_nowhere_in_the_stored_bytes(
    slack, fake_slack, engine, sessions
):
    leaver_with_attributes(sessions)
    assert where_found(engine, LEAVER, TABLES) and where_found(engine, THEIR_TEAM, TABLES)

    forget_me(slack, fake_slack)

    assert where_found(engine, LEAVER, TABLES) == []
    assert where_found(engine, THEIR_TEAM, TABLES) == []


def test_a_forgotten_person_s_attributes_are_not_in_the_statistics(slack, fake_slack, engine, sessions):
    leaver_with_attributes(sessions)
    analyze(engine)

    forget_me(slack, fake_slack)
    analyze(engine)

    assert statistics_holding(engine, LEAVER) == []
    assert statistics_holding(engine, THEIR_TEAM) == []


def test_retention_deletes_profile_attributes_slack_has_not_confirmed_and_keeps_the_csv_s(engine, sessions):
    stale, lately, imported = "U07STALE001", "U07LATELY01", "U07IMPORT01"
    with transaction(sessions) as session:
        session.add(
            person(stale, source="profile", site="Atlantis Base", updated_at=NOW - timedelta(days=101))
        )
        session.add(person(lately, source="profile", site="Porto", updated_at=NOW - timedelta(days=99)))
        session.add(person(imported, source="csv", site="Lisbon", updated_at=NOW - timedelta(days=800)))
    with transaction(scoped_sessions(sessions, OTHER_WORKSPACE)) as session:  # every workspace's
        session.add(
            person(stale, source="profile", site="Atlantis Base", updated_at=NOW - timedelta(days=400))
        )
    analyze(engine)

    outcome = retention.run_retention(sessions, days=100, min_group=5, now=NOW)
    analyze(engine)

    assert outcome.profiles == 2
    assert set(rows(sessions)["people"]) == {("", lately), ("", imported)}
    with sessions() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "retention_run")).one()
    assert entry.detail.endswith(", 2 people's profile attributes deleted")
    assert where_found(engine, stale, TABLES) == [] and where_found(engine, "Atlantis Base", TABLES) == []
    assert statistics_holding(engine, "Atlantis Base") == []
    assert retention.run_retention(sessions, days=100, min_group=5, now=NOW).profiles == 0
