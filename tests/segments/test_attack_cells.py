"""Attacks on what a run's cells store, as someone reading the database would make them.

(a) Holding the audience, the cells, the answers with their cells and the order they were written in,
    once a mixing window is stored: for any answer, "one of at least K people", never fewer.
(b) Once the run's key material is destroyed, who was in which cell goes with it, and holding
    PULSEBOT_ANON_KEY as well ties no answer to anyone.
(c) Someone whose attributes change while the run is open keeps the run's cell, and no later change of
    attributes alters what the run stored.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.privacy.anonymity import answer_token
from pulsebot.services.pulse.answer_mixer import AnswerMixer
from pulsebot.services.segments.cells import workspace_attributes
from pulsebot.services.segments.dimensions import TOP, Attributes, Dimension, Labels, Levels, generalise
from pulsebot.store.models import Answer, Person, PulseRun, RunMember, RunSecret
from tests.attacks.database_reader import page_order
from tests.conftest import ANON_KEY, SIGNING_SECRET, serving_app
from tests.segments.people import put_people, stored_cells
from tests.segments.steps import SALES, SUPPORT, click, question_ids, send_by_command, write
from tests.slack_requests import SlackRequests
from tests.stored_bytes import where_found

pytestmark = [pytest.mark.clock, pytest.mark.usefixtures("cells_team", "jobs_runtime")]
KEY = ANON_KEY.encode()
MINIMUM = 5  # the tests' settings keep the default minimum group, and no manager is asked
RUN_DAY = date(2027, 6, 16)  # the pinned clock's day, in the survey's time zone


@pytest.fixture
def windowed(settings, sessions, engine, client, sender, fake_slack):
    """The real app with a mixing window only the test closes."""
    mixer = AnswerMixer(sessions, window=3600)
    with serving_app(settings, sessions, engine, client=client, sender=sender, mixer=mixer) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url()), mixer


def wait_pending(mixer: AnswerMixer, count: int) -> None:
    deadline = time.monotonic() + 10
    while mixer.pending() < count:
        assert time.monotonic() < deadline, f"{mixer.pending()} answers waiting, wanted {count}"
        time.sleep(0.02)


def every_table(engine) -> dict[str, set[tuple]]:
    """Every row of every table, as SQL reads them."""
    listing = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if engine.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    with engine.connect() as connection:
        names = list(connection.execute(text(listing)).scalars())
        return {name: set(map(tuple, connection.execute(text(f'SELECT * FROM "{name}"')))) for name in names}


def read(engine, query: str, **values) -> list[dict]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text(query), values).mappings()]


def stored_answers(engine, run_id: int) -> list[dict]:
    """The run's answers in the order the database laid them down, with the transaction that wrote each."""
    if engine.dialect.name == "postgresql":
        rows = read(
            engine, "SELECT ctid::text AS place, xmin::text AS tx, * FROM answer WHERE run_id = :r", r=run_id
        )
        return sorted(rows, key=lambda row: page_order(row["place"]))
    return read(
        engine, "SELECT rowid AS place, NULL AS tx, * FROM answer WHERE run_id = :r ORDER BY rowid", r=run_id
    )


def candidates_while_open(engine, run_id: int) -> dict[tuple, set[str]]:
    """For each answer, who of the audience it can be, from everything the database holds: the people
    asked (`delivery`), which cell each of them is in (`run_member`), the answer's cell, and every other
    answer of its token (they are one person's, so in one cell)."""
    asked = {
        row["user_id"] for row in read(engine, "SELECT user_id FROM delivery WHERE run_id = :r", r=run_id)
    }
    members = read(engine, "SELECT user_id, cell FROM run_member WHERE run_id = :r", r=run_id)
    cell_of = {row["user_id"]: row["cell"] for row in members}
    answers = stored_answers(engine, run_id)
    cells_of_token = defaultdict(set)
    for answer in answers:
        cells_of_token[answer["respondent"]].add(answer["cell"])
    found = {}
    for answer in answers:
        (cell,) = cells_of_token[answer["respondent"]]
        found[answer["question_id"], answer["respondent"]] = {p for p in asked if cell_of.get(p) == cell}
    return found


def test_a_reader_of_the_database_finds_each_answer_among_at_least_k_people(
    windowed, fake_slack, sessions, engine
):
    slack, mixer = windowed
    run = send_by_command(slack, fake_slack, sessions)
    rated, text_question = question_ids(sessions, run)
    before = every_table(engine)

    # Everyone answers in one window (the worst case: every member of each cell answered), two comment.
    everyone = [*SUPPORT, *SALES]
    for number, user in enumerate(everyone):
        click(slack, run, rated, user, 1 + number % 5)
        wait_pending(mixer, number + 1)
    write(slack, run, text_question, SUPPORT[0], "The rota works")
    write(slack, run, text_question, SALES[0], "Too many calls")
    wait_pending(mixer, len(everyone) + 2)
    mixer.flush()
    fake_slack.wait_for("response_url", len(everyone))

    # Answering wrote answers and nothing else: no row anywhere else changed, none names who answered.
    after = every_table(engine)
    assert {name for name in after if after[name] != before.get(name)} == {"answer"}
    answers = stored_answers(engine, run.id)
    assert len(answers) == len(everyone) + 2
    if engine.dialect.name == "postgresql":
        assert len({answer["tx"] for answer in answers}) == 1  # the window is one transaction

    candidates = candidates_while_open(engine, run.id)
    assert min(len(people) for people in candidates.values()) >= MINIMUM
    # What the reader learns of an answer is exactly its cell: its people, all of them.
    stored = stored_cells(sessions, run.id)
    cells = {frozenset(p for p, c in stored.members.items() if c == cell) for cell in stored.cells}
    assert {frozenset(people) for people in candidates.values()} == cells


def test_once_the_key_material_is_destroyed_no_one_can_say_whose_cell_was_whose(
    windowed, fake_slack, sessions, engine, settings
):
    slack, mixer = windowed
    run = send_by_command(slack, fake_slack, sessions)
    rated, _ = question_ids(sessions, run)
    for number, user in enumerate([SUPPORT[0], SUPPORT[3], SALES[2]]):
        click(slack, run, rated, user, 2 + number)
    wait_pending(mixer, 3)
    mixer.flush()
    fake_slack.wait_for("response_url", 3)
    with freeze_time(run.closes_at + timedelta(minutes=1), tick=True):
        scheduling.close_due_runs()
    with sessions() as session:
        closed_at = session.get(PulseRun, run.id).closed_at
        assert session.exec(select(RunMember).where(RunMember.run_id == run.id)).all()  # still read at clicks

    with freeze_time(closed_at + timedelta(days=settings.reply_window_days, minutes=1)):
        scheduling.rotate_answer_keys()

    with sessions() as session:
        assert session.get(RunSecret, run.id).secret is None
        assert session.exec(select(RunMember)).all() == []
        answers = session.exec(select(Answer).where(Answer.run_id == run.id)).all()
        secrets_left = session.exec(select(RunSecret.secret).where(RunSecret.secret.is_not(None))).all()
        attributes = workspace_attributes(session, team_id="", audience=[*SUPPORT, *SALES])
    assert {answer.cell for answer in answers} == {0, 1}  # the answers keep their cells
    # The key, with whatever key material is left, recomputes no token of anyone's.
    everyone = [*SUPPORT, *SALES, *fake_slack.users]
    guesses = {answer_token(KEY, left, run_id=run.id, user_id=p) for left in secrets_left for p in everyone}
    assert not guesses & {answer.respondent for answer in answers}
    # What is left to go by is a cell's labels, which fit each of at least K people (whatever the levels).
    stored = stored_cells(sessions, run.id)
    for answer in answers:
        fitting = people_fitting(stored.cells[answer.cell], attributes)
        assert len(fitting) >= MINIMUM
    if engine.dialect.name == "postgresql":  # nor are the deleted rows left in run_member's pages
        assert all(where_found(engine, user, ("run_member",)) == [] for user in [*SUPPORT, *SALES])


def people_fitting(labels: Labels, attributes: dict[str, Attributes]) -> set[str]:
    """Everyone whose attributes, generalised to some level per dimension, give these labels."""
    every_level = itertools.product(*(range(TOP[dimension] + 1) for dimension in Dimension))
    levels = [Levels(*numbers) for numbers in every_level]
    return {
        user_id
        for user_id, person in attributes.items()
        if any(generalise(person, level, on=RUN_DAY) == labels for level in levels)
    }


def test_someone_moved_while_the_run_is_open_answers_from_the_run_s_cell_and_nothing_stored_changes(
    slack, fake_slack, sessions
):
    run = send_by_command(slack, fake_slack, sessions)
    opened = stored_cells(sessions, run.id)
    support_cell = opened.members[SUPPORT[0]]
    rated, _ = question_ids(sessions, run)

    # HR moves a Support person to Sales while the run is open.
    with sessions() as session:
        moved = session.get(Person, ("", SUPPORT[0]))
        moved.department, moved.division = "Sales", "Commercial"
        session.add(moved)
        session.commit()
    click(slack, run, rated, SUPPORT[0], 4)
    fake_slack.wait_for("response_url")

    with sessions() as session:
        (answer,) = session.exec(select(Answer).where(Answer.run_id == run.id)).all()
    assert answer.cell == support_cell  # the cell the run fixed when it opened
    assert stored_cells(sessions, run.id) == opened

    # Later changes, however large, leave the run's cells and its answers' cells as they were.
    put_people(sessions, [], replace=True)
    assert stored_cells(sessions, run.id) == opened
    with sessions() as session:
        assert [a.cell for a in session.exec(select(Answer))] == [support_cell]
