"""Answering a pulse with its buttons: one anonymous answer per person, replaced on a second click."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import select

from pulsebot.store.models import Answer, Delivery
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import answer_button, click_answer


def test_a_click_stores_one_anonymous_answer_and_thanks_the_person(slack, fake_slack, sessions, sent_pulse):
    with sessions() as session:
        deliveries_before = [row.model_dump() for row in session.exec(select(Delivery)).all()]

    reply = click_answer(slack, sent_pulse, TEAM[0], 4)

    assert reply.status == 200
    thanks = fake_slack.wait_for("response_url")[0]
    assert thanks["response_type"] == "ephemeral"
    assert thanks["replace_original"] is False
    assert "Thanks, recorded *4*" in thanks["text"]
    with sessions() as session:
        answers = session.exec(select(Answer)).all()
        assert [(a.value, a.run_id) for a in answers] == [(4, sent_pulse.run_id)]
        assert TEAM[0] not in repr(answers[0].model_dump())
        # Nothing about the person changes when they answer, and no count on the pulse moves.
        assert [row.model_dump() for row in session.exec(select(Delivery)).all()] == deliveries_before
    assert fake_slack.calls_to("chat.update") == []


def test_a_second_click_changes_the_answer_instead_of_adding_one(slack, fake_slack, sessions, sent_pulse):
    for value, expected in ((2, 1), (5, 2)):
        click_answer(slack, sent_pulse, TEAM[1], value)
        fake_slack.wait_for("response_url", expected)

    assert "Changed your answer to *5*" in fake_slack.calls_to("response_url")[-1]["text"]
    with sessions() as session:
        assert [a.value for a in session.exec(select(Answer)).all()] == [5]


def test_someone_outside_the_audience_is_refused_and_nothing_is_stored(
    slack, fake_slack, sessions, sent_pulse
):
    click_answer(slack, sent_pulse, "U0OUTSIDER", 3)

    refusal = fake_slack.wait_for("response_url")[0]
    assert refusal["text"].startswith(f"This pulse is for the members of <#{PULSE_CHANNEL}>")
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_a_click_after_the_pulse_closed_is_refused_politely(slack, fake_slack, sessions, sent_pulse):
    with freeze_time(sent_pulse.closes_at + timedelta(minutes=1), tick=True):
        click_answer(slack, sent_pulse, TEAM[2], 3)
        refusal = fake_slack.wait_for("response_url")[0]

    assert refusal["text"].startswith("This pulse closed on ")
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_a_tampered_button_value_is_refused(slack, fake_slack, sessions, sent_pulse):
    action_id = answer_button(sent_pulse, 3)["action_id"]

    for value in ("nonsense", f"{sent_pulse.run_id}:{sent_pulse.questions[0].id}:9", "999:1:3"):
        slack.click(action_id=action_id, value=value, user=TEAM[0], channel=PULSE_CHANNEL)

    texts = [call["text"] for call in fake_slack.wait_for("response_url", 3)]
    assert all("nothing was recorded" in text or "was not recorded" in text for text in texts), texts
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_simultaneous_clicks_by_one_person_leave_one_answer(slack, fake_slack, sessions, sent_pulse):
    from concurrent.futures import ThreadPoolExecutor

    clicks = [1, 2, 3, 4, 5, 1, 2, 3]
    with ThreadPoolExecutor(len(clicks)) as pool:
        replies = list(pool.map(lambda value: click_answer(slack, sent_pulse, TEAM[3], value), clicks))

    assert {reply.status for reply in replies} == {200}
    texts = [call["text"] for call in fake_slack.wait_for("response_url", len(clicks))]
    assert all(text.startswith(("Thanks, recorded", "Changed your answer")) for text in texts), texts
    with sessions() as session:
        assert len(session.exec(select(Answer)).all()) == 1
