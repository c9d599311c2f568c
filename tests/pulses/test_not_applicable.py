""" "Not applicable": a survey turns on an N/A button per rated question. Saying N/A counts as answering for
the response rate, and in none of the question's figures, so they rest on the others and hide when the
others are fewer than the minimum group."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from pulsebot.services.segments.base_cells import ENPS, PARTICIPATION, read_base_cells
from pulsebot.services.survey.survey_file import SurveyFileError, parse_surveys
from pulsebot.slack.digest import send_digests
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, Question
from tests.attack_steps import apply_yaml, close_run
from tests.conftest import MANAGER, PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.listeners.views.test_survey_form import open_form, submit

pytestmark = pytest.mark.clock

NOW = PINNED_NOW  # a Wednesday
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: UTC
managers: [{MANAGER}]
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
    not_applicable: true
  - key: focus
    kind: yes_no
    prompt: I could focus this week.
"""
WORKLOAD = "My workload this week was manageable."


def buttons_of(post: dict) -> dict[str, list[str]]:
    """Each question's block of buttons in a posted pulse, by block id: the buttons' labels."""
    return {
        block["block_id"]: [element["text"]["text"] for element in block["elements"]]
        for block in post["blocks"]
        if block["type"] == "actions"
    }


def click(slack, run, user: str, question: int, value: int | str):
    question_id = run.questions[question].id
    return slack.click(
        action_id=f"pulse_answer_{question_id}_{value}",
        value=f"{run.run_id}:{question_id}:{value}",
        user=user,
        channel=PULSE_CHANNEL,
    )


def answer_both(slack, sessions, run, answers: list[tuple[str, int | str, int]]) -> None:
    """Each person clicks their two answers; until every one of them is stored."""
    for person, workload, focus in answers:
        click(slack, run, person, 0, workload)
        click(slack, run, person, 1, focus)
    deadline = time.monotonic() + 20
    while True:
        with transaction(sessions) as session:
            stored = session.exec(select(func.count()).select_from(Answer)).one()
        if stored == 2 * len(answers):
            return
        assert time.monotonic() < deadline, f"only {stored} answers stored"
        time.sleep(0.1)


def digest_of_the_week(client, sessions, settings, fake_slack, run) -> str:
    """The weekly digest the team's manager gets on the Monday after the run closed, as one text."""
    close_run(client, sessions, run, settings=settings)
    fake_slack.reset_calls()
    send_digests(client, sessions, settings, now=NOW + timedelta(days=5), survey_name="team-pulse")
    (post,) = fake_slack.posts_to(MANAGER)
    return str(post["blocks"])


def test_the_pulse_offers_n_a_where_the_survey_says_and_stores_no_score(
    settings, slack, fake_slack, sessions, client
):
    apply_yaml(sessions, SURVEY, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)

    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    workload, focus = run.questions
    assert buttons_of(post) == {
        f"q{workload.id}": ["1", "2", "3", "4", "5", "N/A"],
        f"q{focus.id}": ["Yes", "No"],  # not turned on for this question
        "in_my_language": ["In my language"],  # a channel post's: the questions in the reader's language
    }
    fake_slack.reset_calls()

    click(slack, run, TEAM[0], 0, "na")

    thanks = fake_slack.wait_for("response_url")[0]["text"]
    assert thanks.startswith(f"Thanks, recorded *not applicable* for “{WORKLOAD}”.")
    with transaction(sessions) as session:
        (answer,) = session.exec(select(Answer)).all()
        assert (answer.value, answer.choice) == (None, "n/a")  # an answer, and never a score
    fake_slack.reset_calls()

    click(slack, run, TEAM[1], 1, "na")  # a tampered button on a question without N/A

    refusal = fake_slack.wait_for("response_url")[0]["text"]
    assert refusal == "That answer is not one of the choices, so nothing was recorded."


def test_n_a_leaves_the_mean_unchanged_and_the_response_rate_honest(
    settings, slack, fake_slack, sessions, client
):
    six = [*TEAM, "U0FRANK"]
    fake_slack.add_channel(PULSE_CHANNEL, [*six, "UBOT"])
    apply_yaml(sessions, SURVEY, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    answer_both(slack, sessions, run, list(zip(six, [2, 3, 3, 4, 3, "na"], [1, 0, 1, 0, 1, 1], strict=True)))

    digest = digest_of_the_week(client, sessions, settings, fake_slack, run)

    # The five scores alone: (2 + 3 + 3 + 4 + 3) / 5. The sixth person answered, and is counted as such.
    assert f"{WORKLOAD} — 3.0 of 5 (answers 1 to 5: 0 · 1 · 3 · 1 · 0)" in digest
    assert "100% (6 of 6)" in digest


def test_n_a_makes_a_question_five_answered_hide(settings, slack, fake_slack, sessions, client):
    apply_yaml(sessions, SURVEY, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    answer_both(slack, sessions, run, list(zip(TEAM, [2, 3, 4, 3, "na"], [1, 0, 1, 0, 1], strict=True)))

    digest = digest_of_the_week(client, sessions, settings, fake_slack, run)

    # Five answered the pulse, so the week is shown; the workload question rests on four and is hidden.
    assert "100% (5 of 5)" in digest
    assert f"{WORKLOAD} — hidden: fewer than 5 answered" in digest
    assert "I could focus this week. — 60% yes (3 yes, 2 no)" in digest


def test_only_a_rated_question_takes_not_applicable_and_the_file_says_where():
    text = SURVEY + (
        "  - key: better\n    kind: text\n    prompt: What would help?\n    not_applicable: true\n"
    )

    with pytest.raises(SurveyFileError) as raised:
        parse_surveys(text, source="team.yml")

    assert raised.value.problems == [
        "team.yml:17: questions[2].not_applicable: only a rated question (scale, enps or yes_no) offers "
        "“N/A”; a text question can simply be left unanswered"
    ]


def test_the_survey_form_turns_n_a_on_and_off_without_a_new_version(slack, fake_slack, sessions):
    apply_yaml(sessions, SURVEY, now=NOW)
    view = open_form(slack, fake_slack, "edit team-pulse")
    ticked = next(block for block in view["blocks"] if block.get("block_id") == "not_applicable")
    assert [option["value"] for option in ticked["element"]["initial_options"]] == ["1"]
    fake_slack.reset_calls()

    submit(slack, view, not_applicable=["2"])
    fake_slack.wait_for("chat.postMessage")

    with transaction(sessions) as session:
        questions = session.exec(select(Question).order_by(Question.position)).all()
        assert [(q.key, q.version, q.not_applicable) for q in questions] == [
            ("workload", 1, False),
            ("focus", 1, True),
        ]
    view = open_form(slack, fake_slack, "edit team-pulse")
    fake_slack.reset_calls()

    reply = submit(slack, view, not_applicable=["1", "3"], q3_kind="text", q3_prompt="What would help?")

    assert reply.json["errors"] == {
        "not_applicable": "only a rated question (scale, enps or yes_no) offers “N/A”; a text question can "
        "simply be left unanswered"
    }


def test_segments_count_n_a_as_taking_part_and_in_no_enps(settings, slack, fake_slack, sessions, client):
    apply_yaml(sessions, SURVEY.replace("kind: scale", "kind: enps"), now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    answer_both(slack, sessions, run, list(zip(TEAM, [9, 10, 6, 8, "na"], [1, 0, 1, 0, 1], strict=True)))
    close_run(client, sessions, run, settings=settings)

    with transaction(sessions) as session:  # what a period's segment figures are summed from
        (cell,) = read_base_cells(session, run_ids=[run.run_id]).cells

    assert (cell.tallies[ENPS].answers, cell.tallies[ENPS].total) == (4, 33.0)
    assert (cell.tallies[PARTICIPATION].answers, cell.tallies[PARTICIPATION].total) == (5, 5.0)
