"""A pulse sent with `/pulse send` fixes its audience's cells when it opens, and every answer, a click or a
comment, carries its respondent's cell and nothing else about them."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlmodel import select

from pulsebot.services.segments.dimensions import Labels
from pulsebot.store.models import Answer, Delivery
from tests.conftest import TEAM
from tests.pulse_steps import click_answer
from tests.segments.people import stored_cells
from tests.segments.steps import SALES, SUPPORT, click, question_ids, send_by_command, write

pytestmark = pytest.mark.clock  # tenure is counted on the run's day

SALES_CELL = Labels(
    department="Sales",
    division="Commercial",
    site="Lisbon",
    region="Europe",
    tenure="2–5 years",  # started 6 January 2025; the run opens on 16 June 2027
    level="L2",
    line="U0CEO/U0SALESLEAD",
)
SUPPORT_CELL = Labels(
    department="Support",
    division="Operations",
    site="Lisbon",
    region="Europe",
    tenure="2–5 years",
    level="L2",
    line="U0CEO/U0SUPLEAD",
)


@pytest.mark.usefixtures("cells_team")
def test_a_pulse_sent_in_slack_stores_its_cells_and_each_answer_carries_its_respondent_s(
    slack, fake_slack, sessions
):
    run = send_by_command(slack, fake_slack, sessions)
    stored = stored_cells(sessions, run.id)
    assert stored.cells == {0: SALES_CELL, 1: SUPPORT_CELL}
    assert stored.people == {0: len(SALES), 1: len(SUPPORT)}
    assert stored.members == {**dict.fromkeys(SALES, 0), **dict.fromkeys(SUPPORT, 1)}
    rated, text = question_ids(sessions, run)

    clicks = {SUPPORT[0]: 4, SUPPORT[1]: 2, SALES[0]: 5, SALES[1]: 3}
    for user, value in clicks.items():
        click(slack, run, rated, user, value)
    fake_slack.wait_for("response_url", len(clicks))
    for user in (SUPPORT[0], SALES[0]):
        write(slack, run, text, user, f"More focus time, says someone in {user[2:5]}")
    fake_slack.wait_for("chat.postMessage", 2)  # each thanked by DM once stored

    with sessions() as session:
        answers = session.exec(select(Answer).where(Answer.run_id == run.id)).all()
    by_value = {answer.value: answer for answer in answers if answer.value is not None}
    assert {value: by_value[value].cell for value in clicks.values()} == {
        value: stored.members[user] for user, value in clicks.items()
    }
    comments = {answer.comment: answer for answer in answers if answer.comment is not None}
    assert comments["More focus time, says someone in SUP"].cell == stored.members[SUPPORT[0]]
    assert comments["More focus time, says someone in SAL"].cell == stored.members[SALES[0]]
    # A person's comment and rating carry the same cell: what their token ties together says no more.
    cells_of = defaultdict(set)
    for answer in answers:
        cells_of[answer.respondent].add(answer.cell)
    assert all(len(cells) == 1 for cells in cells_of.values())
    assert len(cells_of) == len(clicks)


def test_a_team_without_attributes_gets_no_cells_and_its_answers_carry_none(
    slack, fake_slack, sessions, sent_pulse
):
    click_answer(slack, sent_pulse, TEAM[0], 4)
    fake_slack.wait_for("response_url")

    stored = stored_cells(sessions, sent_pulse.run_id)
    assert stored.cells == {} and stored.members == {}
    with sessions() as session:
        assert [answer.cell for answer in session.exec(select(Answer))] == [None]
        assert len(session.exec(select(Delivery)).all()) == len(TEAM)
