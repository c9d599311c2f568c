"""The survey form of `/pulse new` and `/pulse edit`: the YAML file's checks, shown on the form's fields."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.digest.managers import managers_of
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, list_surveys
from pulsebot.store.db import transaction
from pulsebot.store.models import Question, Survey
from tests.conftest import ADMIN, PULSE_CHANNEL, TEAM
from tests.slack_limits import view_problems

YAML = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
schedule: "0 10 * * tue"
timezone: Europe/Berlin
reminders: [24h, 2h before close]
questions:
  - key: workload
    kind: scale
    prompt: My workload was manageable.
  - key: lunch
    kind: choice
    prompt: Which lunch?
    options: [Thai, Pizza]
"""


def open_form(slack, fake_slack, text: str) -> dict:
    slack.command("/pulse", text, user=ADMIN)
    return fake_slack.wait_for("views.open")[-1]["view"]


def state_of(view: dict, **changes) -> dict:
    """What Slack submits: every input block with its current value (the initial one unless changed)."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        value = changes.get(block_id, _initial(element))
        if element["type"] == "static_select":
            state = {"selected_option": {"value": value} if value else None}
        elif element["type"] == "conversations_select":
            state = {"selected_conversation": value}
        elif element["type"] in ("checkboxes", "multi_static_select"):
            state = {"selected_options": [{"value": v} for v in value or []]}
        else:
            state = {"value": value}
        values[block_id] = {"value": {"type": element["type"], **state}}
    return values


def _initial(element: dict):
    if element["type"] == "static_select":
        return (element.get("initial_option") or {}).get("value")
    if element["type"] == "conversations_select":
        return element.get("initial_conversation")
    if element["type"] in ("checkboxes", "multi_static_select"):
        return [option["value"] for option in element.get("initial_options", [])]
    initial = element.get("initial_value")
    return None if initial is None else str(initial)


def submit(slack, view: dict, user: str = ADMIN, **changes):
    return slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view.get("private_metadata", ""),
        values=state_of(view, **changes),
        user=user,
    )


def test_mistakes_are_shown_on_their_fields_and_nothing_is_saved(slack, fake_slack, sessions):
    view = open_form(slack, fake_slack, "new")
    assert (view["callback_id"], view["title"]["text"]) == ("pulse_survey_form", "New survey")

    reply = submit(
        slack,
        view,
        name="Team Pulse",
        channel=PULSE_CHANNEL,
        timezone="Mars/Olympus",
        reminders="soon",
        options=["per_person_local_time"],
        q1_kind="choice",
        q1_prompt="Which lunch?",
        q2_prompt="Is this kind missing?",
    )

    assert reply.json["response_action"] == "errors"
    errors = reply.json["errors"]
    assert set(errors) == {"name", "timezone", "reminders", "options", "q1_options", "q2_kind"}
    assert errors["name"].startswith("use lower case letters, digits, - and _")
    assert errors["timezone"].startswith("unknown time zone 'Mars/Olympus'")
    assert errors["options"].startswith("needs `delivery: dm`")
    assert errors["q1_options"] == "a choice question needs 2 to 10 options"
    assert errors["q2_kind"] == "Pick the kind of question."
    with sessions() as session:
        assert list_surveys(session) == []


def test_a_new_survey_is_saved_like_a_yaml_file_would_be(slack, fake_slack, sessions):
    view = open_form(slack, fake_slack, "new")

    with freeze_time("2027-03-20 12:00:00", tick=True):
        reply = submit(
            slack,
            view,
            name="team-pulse",
            title="Weekly team pulse",
            channel=PULSE_CHANNEL,
            delivery="dm",
            schedule="0 10 * * tue",
            timezone="Europe/Berlin",
            open_days="2",
            reminders="24h, 2h before close",
            q1_kind="scale",
            q1_prompt="My workload was manageable.",
            q2_kind="enps",
            q4_kind="text",
            q4_prompt="What would make next week better?",
            required=["4"],
        )
        notice = fake_slack.wait_for("chat.postMessage")[0]

    assert reply.status == 200 and reply.body == ""
    assert notice["channel"] == ADMIN
    assert notice["text"].startswith(
        f"Created survey *team-pulse* (Weekly team pulse) for <#{PULSE_CHANNEL}>: "
        "next run Tue 23 Mar 10:00 (Europe/Berlin)."
    )
    with sessions() as session:
        survey = session.exec(select(Survey)).one()
        assert (survey.delivery.value, survey.open_days, survey.reminders) == (
            "dm",
            2,
            "24h after open\n2h before close",
        )
        questions = session.exec(select(Question).order_by(Question.position)).all()
        assert [(q.key, q.kind.value, q.required) for q in questions] == [
            ("q1", "scale", False),
            ("q2", "enps", False),
            ("q4", "text", True),
        ]
        assert questions[1].prompt == "How likely are you to recommend working here to a friend?"


def test_a_taken_name_is_refused_on_the_name_field(slack, fake_slack, sessions):
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(YAML, source="t.yml")[0], now=datetime.now(UTC))
    view = open_form(slack, fake_slack, "new")

    reply = submit(slack, view, name="team-pulse", channel=PULSE_CHANNEL, q1_kind="enps")

    assert reply.json["errors"] == {
        "name": "There is already a survey called “team-pulse”; `/pulse edit team-pulse` changes it."
    }


def test_edit_opens_the_survey_prefilled_and_rewording_starts_a_new_version(slack, fake_slack, sessions):
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(YAML, source="t.yml")[0], now=datetime.now(UTC))

    view = open_form(slack, fake_slack, "edit team-pulse")
    state = state_of(view)
    assert view["title"]["text"] == "Edit survey" and "name" not in state
    assert state["channel"]["value"]["selected_conversation"] == PULSE_CHANNEL
    assert state["reminders"]["value"]["value"] == "24h after open, 2h before close"
    assert state["q2_options"]["value"]["value"] == "Thai\nPizza"

    unchanged = submit(slack, view)
    assert unchanged.body == ""
    assert fake_slack.wait_for("chat.postMessage")[0]["text"].startswith("No changes to survey *team-pulse*")
    submit(slack, view, q1_prompt="My workload felt manageable.", q2_options="Thai\nPizza\nSalad")
    assert fake_slack.wait_for("chat.postMessage", 2)[1]["text"].startswith("Updated survey *team-pulse*")
    with sessions() as session:
        versions = session.exec(select(Question).order_by(Question.key, Question.version)).all()
    assert [(q.key, q.version, q.active) for q in versions] == [
        ("lunch", 1, False),
        ("lunch", 2, True),
        ("workload", 1, False),
        ("workload", 2, True),
    ]


@pytest.mark.usefixtures("sessions")
def test_only_admins_can_save_the_form(slack, fake_slack):
    view = open_form(slack, fake_slack, "new")

    reply = submit(slack, view, TEAM[0], name="sneaky", channel=PULSE_CHANNEL, q1_kind="enps")

    assert reply.json["errors"] == {"name": "Only pulsebot admins can save surveys."}


def test_a_survey_with_two_hundred_managers_is_edited_and_keeps_them_all(slack, fake_slack, sessions):
    managers = [f"U0MGR{number:06d}" for number in range(200)]
    with transaction(sessions) as session:
        spec = parse_surveys(YAML + f"managers: [{', '.join(managers)}]\n", source="t.yml")[0]
        apply_survey(session, spec=spec, now=datetime.now(UTC))

    view = open_form(slack, fake_slack, "edit team-pulse")

    assert fake_slack.calls_to("views.open")[0]["view"] == view
    assert view_problems(view) == []  # within Slack's limits, so Slack opened it
    submit(slack, view, q1_prompt="My workload felt manageable.")
    assert fake_slack.wait_for("chat.postMessage")[0]["text"].startswith("Updated survey *team-pulse*")
    with sessions() as session:
        survey_id = session.exec(select(Survey.id)).one()
        assert sorted(managers_of(session, survey_id=survey_id)) == managers
