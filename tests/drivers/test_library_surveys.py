"""Surveys built on the question library: `survey init`, `survey apply`, and bad input in one line."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, list_surveys
from pulsebot.store.db import transaction
from pulsebot.store.models import Question, Survey
from tests.conftest import PULSE_CHANNEL
from tests.listeners.views.test_survey_form import open_form, submit

runner = CliRunner()

LIBRARY_SURVEY = f"""\
name: drivers
channel: {PULSE_CHANNEL}
library: engagement
questions_per_pulse: 4
"""


def apply_text(tmp_path, cli_env, text: str, name: str = "team.yml"):
    path = tmp_path / name
    path.write_text(text)
    return runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env), path


@pytest.mark.parametrize(
    ("template", "drivers", "per_pulse", "cycle"),
    [("engagement", 11, 4, "3 pulses"), ("cx", 4, 3, "2 pulses"), ("wellbeing", 4, 3, "2 pulses")],
)
def test_init_writes_a_starter_file_that_applies_and_says_how_the_rotation_covers_the_drivers(
    tmp_path, cli_env, sessions, template, drivers, per_pulse, cycle
):
    path = tmp_path / "pulse.yml"

    written = runner.invoke(cli, ["survey", "init", str(path), "--template", template], env=cli_env)
    applied = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)

    assert written.exit_code == 0, written.output
    assert "# " in path.read_text() and "REPLACE" in path.read_text()
    assert applied.exit_code == 0, applied.output
    lines = applied.stdout.strip().splitlines()
    assert lines[0].endswith(": created")
    assert f"{per_pulse} library items a pulse from {drivers} drivers" in lines[1]
    assert f"every driver is asked at least once every {cycle}" in lines[1]
    with sessions() as session:
        survey = session.exec(select(Survey)).one()
        library_items = session.exec(
            select(Question).where(Question.from_library, Question.driver.is_not(None))
        ).all()
        assert len(survey.library_drivers.splitlines()) == drivers
        expected = sum(len(engagement_library().driver(d).items) for d in survey.library_drivers.split())
        assert len(library_items) == expected
        assert {q.reversed for q in library_items if q.key == "customer.blocked"} <= {True}


def test_init_keeps_an_existing_file_and_says_so_in_one_line(tmp_path, cli_env):
    path = tmp_path / "mine.yml"
    path.write_text("keep me")

    result = runner.invoke(cli, ["survey", "init", str(path)], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.strip() == f"pulsebot: {path} already exists; choose another name or remove it first"
    assert path.read_text() == "keep me"


def test_applying_the_same_library_survey_twice_changes_nothing_and_own_questions_stay_apart(
    tmp_path, cli_env, sessions
):
    text = LIBRARY_SURVEY + 'questions:\n  - {key: better, kind: text, prompt: "What would help?"}\n'
    first, _ = apply_text(tmp_path, cli_env, text)
    again, _ = apply_text(tmp_path, cli_env, text)

    assert first.stdout.splitlines()[0] == "drivers: created"
    assert again.stdout.splitlines()[0] == "drivers: unchanged"
    with sessions() as session:
        [summary] = list_surveys(session)
        own = session.exec(select(Question).where(Question.from_library.is_(False))).all()
        enps = session.exec(select(Question).where(Question.key == "enps")).one()
    assert [q.key for q in own] == ["better"]
    assert (enps.kind.value, enps.from_library, enps.driver) == ("enps", True, None)
    assert (summary.questions, summary.cycle_runs, summary.enps_cadence) == (5, 3, "monthly")


def test_narrowing_the_drivers_retires_the_others_items(tmp_path, cli_env, sessions):
    apply_text(tmp_path, cli_env, LIBRARY_SURVEY)
    result, _ = apply_text(tmp_path, cli_env, LIBRARY_SURVEY.replace("engagement", "[customer, growth]"))

    assert result.stdout.splitlines() == [
        "drivers: updated",
        "drivers: 4 library items a pulse from 2 drivers: every driver is asked at least once every "
        "pulse; eNPS monthly",
    ]
    with sessions() as session:
        active = session.exec(select(Question.driver).where(Question.active, Question.driver.is_not(None)))
        assert set(active.all()) == {"customer", "growth"}


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("engagement", "[customer, happiness]"), 3, "library: no driver 'happiness' in the library"),
        (("engagement", "everything"), 3, "library: use `engagement` for the whole library"),
        (("engagement", "[customer]\nenps: yearly"), 4, "enps: Input should be"),
        (("questions_per_pulse: 4", "questions_per_pulse: 6\nquestions: []"), 4, "at most 5 for 1 driver"),
        (("library: engagement\n", ""), 1, "questions: add 1 to 5 questions, or use the question library"),
        (
            ("questions_per_pulse: 4", "questions: [{key: enps, kind: enps}]"),
            4,
            "questions: the library's eNPS is asked by `enps:`",
        ),
        (
            (
                "questions_per_pulse: 4",
                "questions_per_pulse: 6\nquestions: [{key: a, kind: yes_no, prompt: 'A?'},"
                " {key: b, kind: yes_no, prompt: 'B?'}]",
            ),
            5,
            "questions: a pulse would ask 9 questions; keep it to 8 with eNPS",
        ),
    ],
)
def test_bad_library_settings_stop_with_one_line_naming_file_line_and_field(
    tmp_path, cli_env, sessions, change, line, message
):
    text = LIBRARY_SURVEY.replace(*change)
    if "[customer]" in change[1] or "questions_per_pulse: 6\nquestions: []" in change[1]:
        text = text.replace("library: engagement", "library: [customer]")
    result, path = apply_text(tmp_path, cli_env, text)

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"pulsebot: {path}:{line}: "), result.stderr
    assert message in result.stderr
    with sessions() as session:
        assert list_surveys(session) == []


def test_the_edit_form_shows_a_library_survey_s_drivers_and_saving_keeps_them(slack, sessions, fake_slack):
    with transaction(sessions) as session:
        for spec in parse_surveys(LIBRARY_SURVEY, source="team.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))

    view = open_form(slack, fake_slack, "edit drivers")
    library = next(block for block in view["blocks"] if block.get("block_id") == "library")
    chosen = [option["value"] for option in library["element"]["initial_options"]]
    assert chosen == list(engagement_library().driver_ids)

    reply = submit(slack, view, questions_per_pulse="3")

    assert reply.status == 200 and reply.body == ""
    with sessions() as session:
        survey = session.exec(select(Survey)).one()
        assert survey.library_drivers.splitlines() == chosen and survey.questions_per_pulse == 3


def test_a_new_survey_from_the_form_can_rotate_through_chosen_drivers(slack, sessions, fake_slack):
    view = open_form(slack, fake_slack, "new")

    reply = submit(
        slack,
        view,
        name="cx-pulse",
        channel=PULSE_CHANNEL,
        library=["resources", "customer"],
        questions_per_pulse="2",
        enps="quarterly",
    )

    assert reply.status == 200 and reply.body == ""
    assert "cx-pulse" in fake_slack.wait_for("chat.postMessage")[0]["text"]
    with sessions() as session:
        survey = session.exec(select(Survey)).one()
        assert survey.library_drivers.splitlines() == ["customer", "resources"]  # the library's order
        assert (survey.questions_per_pulse, survey.enps_cadence) == (2, "quarterly")


def test_more_items_per_pulse_than_the_chosen_drivers_have_is_a_field_error(slack, sessions, fake_slack):
    view = open_form(slack, fake_slack, "new")

    reply = submit(
        slack, view, name="cx-pulse", channel=PULSE_CHANNEL, library=["customer"], questions_per_pulse="6"
    )

    assert reply.json["response_action"] == "errors"
    assert set(reply.json["errors"]) == {"questions_per_pulse"}
    with sessions() as session:
        assert list_surveys(session) == []


def test_the_documented_library_survey_applies_and_says_what_the_docs_say(tmp_path, cli_env):
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "library.md").read_text()
    sample = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    said = docs.split("```text\n", 1)[1].split("```", 1)[0]

    result, _ = apply_text(tmp_path, cli_env, sample)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == said.splitlines()
