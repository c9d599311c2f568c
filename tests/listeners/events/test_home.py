"""The App Home tab lists the person's open pulses, their own ideas (anonymous ones included),
and the ideas shipped lately."""

from tests.conftest import MANAGER, TEAM
from tests.home_steps import open_home
from tests.idea_steps import post_idea, reply_to


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
    closes = int(sent_pulse.closes_at.timestamp())  # shown in the reader's own time zone
    assert f"closes <!date^{closes}^{{date_long_pretty}} at {{time}}|" in text
    assert "Send order updates by SMS" in text


def test_home_shows_recently_shipped_ideas_and_my_declined_ideas_reasons(slack, fake_slack):
    assert "Nothing done or shipped yet" in open_home(slack, fake_slack, TEAM[1])
    post_idea(slack, fake_slack, "Callback instead of queueing", user=TEAM[0], anonymous=True)
    post_idea(slack, fake_slack, "Refunds & <!channel> in one click", user=TEAM[2])
    post_idea(slack, fake_slack, "Free shipping", user=TEAM[1])
    for command in ("status 1 done", "status 2 done", "status 3 declined Too costly & <@U123>"):
        reply_to(fake_slack, lambda command=command: slack.command("/idea", command, user=MANAGER))

    home = open_home(slack, fake_slack, TEAM[1])

    shipped = home[home.index("You said, we did") :]
    assert shipped.index("#2* Refunds &amp; &lt;!channel&gt; in one click") < shipped.index("#1* Callback")
    assert f"suggested by <@{TEAM[2]}> · 0 votes" in shipped
    assert "suggested by a colleague · 0 votes" in shipped and TEAM[0] not in home
    assert "*Why it was declined:* Too costly &amp; &lt;@U123&gt;" in home
