"""`/idea`: an idea is stored and posted in the ideas channel, escaped, and refusals lose nothing."""

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select

from pulsebot.store.models import Idea
from tests.conftest import IDEAS_CHANNEL, TEAM


def test_idea_is_stored_and_posted_in_the_ideas_channel(slack, fake_slack, sessions):
    reply = slack.command("/idea", "Make the refund page clearer", user=TEAM[0])

    assert reply.status == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == IDEAS_CHANNEL
    card = post["blocks"][0]["text"]["text"]
    assert "Make the refund page clearer" in card
    assert f"<@{TEAM[0]}>" in card
    assert post["blocks"][2]["elements"][0]["action_id"] == "idea_vote"
    confirmation = fake_slack.wait_for("response_url")[0]
    assert confirmation["response_type"] == "ephemeral"
    assert f"is posted in <#{IDEAS_CHANNEL}>" in confirmation["text"]
    with sessions() as session:
        idea = session.exec(select(Idea)).one()
        assert (idea.text, idea.author_id, idea.channel_id) == (
            "Make the refund page clearer",
            TEAM[0],
            IDEAS_CHANNEL,
        )
        assert idea.message_ts is not None  # kept so the card can be updated when votes come in


def test_mentions_and_markup_in_an_idea_cannot_ping_anyone(slack, fake_slack, sessions):
    slack.command(
        "/idea", "<!channel> ask <@U123> about refunds & returns <https://evil.example|click>", user=TEAM[1]
    )

    post = fake_slack.wait_for("chat.postMessage")[0]
    card = post["blocks"][0]["text"]["text"]
    assert "<!channel>" not in card and "<@U123>" not in card and "<https://" not in card
    assert "&lt;!channel&gt; ask &lt;@U123&gt; about refunds &amp; returns" in card
    assert "<!channel>" not in post["text"]
    with sessions() as session:  # stored as typed; escaping happens on the way out
        assert session.exec(select(Idea.text)).one().startswith("<!channel> ask <@U123>")


def test_an_over_long_idea_is_refused_and_echoed_back(slack, fake_slack, sessions):
    text = "x" * 1001

    reply = slack.command("/idea", text, user=TEAM[0])

    assert reply.status == 200
    assert "the limit is 1,000" in reply.text
    assert text in reply.text  # echoed so the author can copy it
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_bare_idea_opens_the_idea_modal(slack, fake_slack):
    reply = slack.command("/idea", "   ", user=TEAM[0])

    assert reply.status == 200
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == "idea_new_view"
    assert [block["block_id"] for block in view["blocks"]] == ["text", "category", "stage", "anonymous"]


def test_the_eleventh_idea_in_an_hour_is_refused_politely(slack, fake_slack, sessions):
    with freeze_time(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=True) as clock:
        for number in range(10):
            assert slack.command("/idea", f"idea number {number}", user=TEAM[2]).text == ""
        refused = slack.command("/idea", "one more", user=TEAM[2])
        assert "10 ideas in the last hour" in refused.text and "one more" in refused.text
        clock.tick(timedelta(minutes=61))
        assert slack.command("/idea", "one more", user=TEAM[2]).text == ""
    fake_slack.wait_for("chat.postMessage", 11)
    with sessions() as session:
        assert len(session.exec(select(Idea)).all()) == 11


def test_when_slack_refuses_the_post_the_idea_is_kept_and_the_author_told(slack, fake_slack, sessions):
    fake_slack.fail("chat.postMessage", "not_in_channel")

    slack.command("/idea", "Shorter hold music", user=TEAM[3])

    told = fake_slack.wait_for("response_url")[0]["text"]
    assert "Saved your idea #1" in told and "not_in_channel" in told
    with sessions() as session:
        assert session.exec(select(Idea.text)).one() == "Shorter hold music"


def test_the_hourly_limit_is_a_setting(slack, settings):
    settings.ideas_per_hour = 2
    with freeze_time(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=True):
        for number in range(2):
            assert slack.command("/idea", f"idea number {number}", user=TEAM[2]).text == ""
        assert "2 ideas in the last hour" in slack.command("/idea", "a third", user=TEAM[2]).text
