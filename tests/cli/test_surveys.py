"""`pulsebot survey apply|list`: YAML in, surveys out.

A bad file is named with its line and field, and changes nothing."""

from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.survey.surveys import list_surveys
from pulsebot.store.models import Question
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY

runner = CliRunner()


def write(tmp_path, text: str, name: str = "team.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_apply_creates_then_is_idempotent_then_versions_a_reworded_question(tmp_path, cli_env, sessions):
    path = write(tmp_path, SCALE_SURVEY.format(channel=PULSE_CHANNEL))

    first = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)
    again = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)
    path.write_text(path.read_text().replace("was manageable", "felt manageable"))
    reworded = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)

    assert (first.exit_code, first.stdout.strip()) == (0, "team-pulse: created")
    assert again.stdout.strip() == "team-pulse: unchanged"
    assert reworded.stdout.strip() == "team-pulse: updated"
    with sessions() as session:
        versions = session.exec(select(Question).order_by(Question.version)).all()
        assert [(q.version, q.active, q.prompt) for q in versions] == [
            (1, False, "My workload this week was manageable."),
            (2, True, "My workload this week felt manageable."),
        ]


def test_a_malformed_file_names_file_line_and_field_and_changes_nothing(tmp_path, cli_env, sessions):
    bad = SCALE_SURVEY.format(channel=PULSE_CHANNEL).replace("kind: scale", "kind: stars")
    path = write(tmp_path, bad, "bad.yml")

    result = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        f"pulsebot: {path}:9: surveys[0].questions[0].kind: Input should be"
    )
    with sessions() as session:
        assert list_surveys(session) == []


def test_broken_yaml_and_missing_fields_are_located(tmp_path, cli_env):
    head = f"name: x\nchannel: {PULSE_CHANNEL}\n"
    cases = {
        "name: x\n  channel: [C1\n": ":2: not valid YAML",
        head: ":1: questions: add 1 to 5 questions, or use the question library",
        f"{head}timezone: Mars/Olympus\nquestions: [{{key: a, kind: enps}}]\n": (
            ":3: timezone: unknown time zone 'Mars/Olympus'"
        ),
        f"{head}schedule: every tuesday\nquestions: [{{key: a, kind: enps}}]\n": (
            ":3: schedule: not a cron expression"
        ),
        f"{head}questions:\n  - key: a\n    kind: choice\n    prompt: Lunch?\n": (
            ":4: questions[0].options: a choice question needs 2 to 10 options"
        ),
        "": ":1: the file is empty",
    }
    for text, expected in cases.items():
        path = write(tmp_path, text)
        result = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)
        assert result.exit_code == 1
        assert expected in result.stderr, (text, result.stderr)
        assert "Traceback" not in result.stderr


def test_list_shows_the_surveys(tmp_path, cli_env):
    runner.invoke(
        cli,
        ["survey", "apply", str(write(tmp_path, SCALE_SURVEY.format(channel=PULSE_CHANNEL)))],
        env=cli_env,
    )

    result = runner.invoke(cli, ["survey", "list"], env={**cli_env, "COLUMNS": "200"})

    assert result.exit_code == 0
    assert (
        "team-pulse" in result.stdout and PULSE_CHANNEL in result.stdout and "Europe/Berlin" in result.stdout
    )


def test_every_mistake_of_a_file_is_reported_at_once_in_its_order(tmp_path, cli_env, sessions):
    path = write(
        tmp_path,
        "name: Team Pulse\n"
        'channel: "#support"\n'
        "timezone: Mars/Olympus\n"
        "questions:\n"
        "  - key: mood\n"
        "    kind: scale\n",
    )

    result = runner.invoke(cli, ["survey", "apply", str(path)], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"pulsebot: {path}:1: name: use lower case letters, digits, - and _, starting with a letter or digit "
        "(e.g. team-pulse)",
        f"pulsebot: {path}:2: channel: “#support” is not a channel id: use the channel id (C…/G…), shown at "
        "the bottom of the channel's details in Slack",
        f"pulsebot: {path}:3: timezone: unknown time zone 'Mars/Olympus' "
        "(use an IANA name such as Europe/Berlin)",
        f"pulsebot: {path}:5: questions[0].prompt: prompt is required for this kind of question",
    ]
    assert list_surveys_of(sessions) == []


def list_surveys_of(sessions) -> list[str]:
    with sessions() as session:
        return [survey.name for survey in list_surveys(session)]
