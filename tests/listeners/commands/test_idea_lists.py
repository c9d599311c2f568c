"""`/idea list|top|mine|help`: private lists, escaped, limited, with a helpful word when empty."""

import pytest
from sqlmodel import select

from pulsebot.store.models import Idea
from tests.conftest import MANAGER, TEAM
from tests.idea_steps import next_call, post_idea, reply_to


def ask(slack, text: str, *, user: str = TEAM[1]) -> str:
    reply = slack.command("/idea", text, user=user)
    assert reply.status == 200
    assert '"in_channel"' not in reply.body  # a command's reply is only for the person who typed it
    return reply.text


def vote(slack, fake_slack, idea: int, *voters: str) -> None:
    for voter in voters:
        next_call(
            fake_slack,
            "chat.update",
            lambda voter=voter: slack.click(action_id="idea_vote", value=str(idea), user=voter),
        )


@pytest.fixture
def some_ideas(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])  # 1
    post_idea(slack, fake_slack, "Invoices in the customer's language", user=TEAM[1], category="billing")  # 2
    post_idea(slack, fake_slack, "Callback instead of queueing", user=TEAM[0], anonymous=True)  # 3
    post_idea(slack, fake_slack, "Weekend chat", user=TEAM[2])  # 4
    vote(slack, fake_slack, 3, TEAM[1], TEAM[2], TEAM[3])
    vote(slack, fake_slack, 2, TEAM[0], TEAM[2])
    vote(slack, fake_slack, 4, TEAM[0])
    reply_to(fake_slack, lambda: slack.command("/idea", "status 4 done", user=MANAGER))


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("*#")]


def test_list_shows_the_latest_ideas_with_status_and_votes(slack, some_ideas):
    text = ask(slack, "list")

    assert text.startswith("*Latest ideas*")
    assert lines(text) == [
        "*#4* Weekend chat · Done · :+1: 1",
        "*#3* Callback instead of queueing · New · :+1: 3",
        "*#2* Invoices in the customer's language · New · :+1: 2",
        "*#1* Refunds in one click · New · :+1: 0",
    ]


def test_list_by_status_or_category(slack, some_ideas):
    assert lines(ask(slack, "list done")) == ["*#4* Weekend chat · Done · :+1: 1"]
    assert ask(slack, "list under review") == "Ideas that are Under review: none yet."
    assert lines(ask(slack, "list Billing")) == ["*#2* Invoices in the customer's language · New · :+1: 2"]


def test_an_unknown_list_filter_is_explained(slack, some_ideas):
    text = ask(slack, "list marketing")

    assert "I can list ideas by status (new, review, planned, done, declined)" in text
    assert "by category (product, support, onboarding, billing, other)" in text


def test_an_idea_that_starts_with_list_is_still_posted(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "list prices in local currency", user=TEAM[0])

    with sessions() as session:
        assert session.exec(select(Idea.text)).one() == "list prices in local currency"


def test_top_ranks_open_ideas_by_votes(slack, some_ideas):
    text = ask(slack, "top")

    assert text.startswith("*Top open ideas by votes*")
    assert [line.split()[0] for line in lines(text)] == ["*#3*", "*#2*", "*#1*"]  # #4 is done


def test_mine_lists_my_ideas_anonymous_ones_included(slack, some_ideas):
    text = ask(slack, "mine", user=TEAM[0])

    assert [line.split()[0] for line in lines(text)] == ["*#3*", "*#1*"]
    assert ask(slack, "mine", user=TEAM[4]).startswith("You have not posted an idea yet")


def test_empty_lists_say_what_to_do(slack):
    assert ask(slack, "list") == "Latest ideas: none yet."
    assert ask(slack, "top").startswith("No open ideas right now.")
    assert ask(slack, "mine").startswith("You have not posted an idea yet.")


def test_lists_escape_idea_text_and_declined_reasons(slack, fake_slack):
    post_idea(slack, fake_slack, "<!channel> ask <@U123> about refunds & returns", user=TEAM[0])
    slack.command("/idea", "status 1 declined Ask <!here> & <@U456> first", user=MANAGER)
    fake_slack.wait_for("chat.update")

    text = ask(slack, "list declined")

    assert "&lt;!channel&gt; ask &lt;@U123&gt; about refunds &amp; returns" in text
    assert "_declined: Ask &lt;!here&gt; &amp; &lt;@U456&gt; first_" in text
    assert "<!" not in text and "<@" not in text


def test_long_lists_are_cut_and_say_so(slack, fake_slack, settings):
    settings.ideas_per_hour = 100
    for number in range(22):
        post_idea(slack, fake_slack, f"Idea number {number} " + "x" * 900, user=TEAM[number % 5])

    text = ask(slack, "list")

    shown = lines(text)
    assert 0 < len(shown) <= 15
    assert f"(showing {len(shown)} of 22)" in text.splitlines()[0]
    assert len(text) <= 4000
    assert all(len(line) < 200 for line in shown)  # each idea is shortened to an excerpt


def test_help_lists_the_idea_commands(slack):
    text = ask(slack, "help")

    for command in ("/idea list", "/idea top", "/idea mine", "/idea status 12 planned", "declined REASON"):
        assert command in text
