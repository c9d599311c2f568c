"""The 👍 button: one vote per person, a second click takes it back, no vote for your own idea."""

from sqlmodel import select

from pulsebot.store.models import Vote
from tests.conftest import TEAM


def vote_count_on_card(call: dict) -> str:
    return call["blocks"][2]["elements"][0]["text"]["text"]


def test_votes_toggle_and_the_card_shows_the_count(slack, fake_slack, sessions):
    slack.command("/idea", "Live chat on weekends", user=TEAM[0])
    fake_slack.wait_for("response_url")

    slack.click(action_id="idea_vote", value="1", user=TEAM[1])
    assert vote_count_on_card(fake_slack.wait_for("chat.update")[0]) == ":+1: 1"
    slack.click(action_id="idea_vote", value="1", user=TEAM[2])
    assert vote_count_on_card(fake_slack.wait_for("chat.update", 2)[1]) == ":+1: 2"
    slack.click(action_id="idea_vote", value="1", user=TEAM[1])  # a second click withdraws
    assert vote_count_on_card(fake_slack.wait_for("chat.update", 3)[2]) == ":+1: 1"

    with sessions() as session:
        votes = session.exec(select(Vote)).all()
        assert len(votes) == 1
        assert all(user not in repr(vote.model_dump()) for vote in votes for user in TEAM)


def test_an_author_cannot_vote_for_their_own_idea(slack, fake_slack, sessions):
    slack.command("/idea", "Refund in one click", user=TEAM[0])
    fake_slack.wait_for("response_url")

    slack.click(action_id="idea_vote", value="1", user=TEAM[0])

    assert "can't vote for your own idea" in fake_slack.wait_for("response_url", 2)[1]["text"]
    with sessions() as session:
        assert session.exec(select(Vote)).all() == []
