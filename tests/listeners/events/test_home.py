"""The App Home tab lists the person's open pulses and their own ideas, anonymous ones included."""

from tests.conftest import TEAM


def test_home_shows_open_pulses_and_my_ideas(slack, fake_slack, sent_pulse):
    slack.submit(
        callback_id="idea_new_view",
        user=TEAM[0],
        values={
            "text": {"value": {"value": "Send order updates by SMS"}},
            "category": {"value": {"selected_option": {"value": "product"}}},
            "stage": {"value": {"selected_option": None}},
            "anonymous": {"value": {"selected_options": [{"value": "yes"}]}},
        },
    )
    fake_slack.wait_for("chat.postMessage", 2)

    reply = slack.event({"type": "app_home_opened", "user": TEAM[0], "channel": "D0ALICE", "tab": "home"})

    assert reply.status == 200
    published = fake_slack.wait_for("views.publish")[0]
    assert published["user_id"] == TEAM[0]
    text = str(published["view"]["blocks"])
    assert "Weekly team pulse" in text and "waiting for your answer" in text
    assert "Send order updates by SMS" in text
