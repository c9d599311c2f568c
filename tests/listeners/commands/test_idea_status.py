"""`/idea status ID STATUS [reason]`: managers move ideas along, the card follows, the author hears by DM."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.slack.status_change import ANONYMOUS_AUTHOR_TOLD
from pulsebot.store.models import DirectoryPerson, Idea, IdeaStatus
from tests.conftest import ADMIN, IDEAS_CHANNEL, MANAGER, TEAM
from tests.idea_steps import next_call, post_idea, reply_to

DM = "D" + TEAM[0][1:]  # the fake answers a post to a user id from the app's DM with them


def status(slack, fake_slack, args: str, *, user: str = MANAGER) -> str:
    return reply_to(fake_slack, lambda: slack.command("/idea", f"status {args}", user=user))


def dms_to_author(fake_slack) -> list[str]:
    return [call["text"] for call in fake_slack.posts_to(TEAM[0])]


def card_text(update: dict) -> str:
    return update["blocks"][0]["text"]["text"] + " " + update["blocks"][1]["elements"][0]["text"]


def test_each_move_updates_the_card_and_tells_the_author(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])
    for word, label in [("review", "Under review"), ("planned", "Planned"), ("done", "Done")]:
        update = next_call(
            fake_slack, "chat.update", lambda word=word: status(slack, fake_slack, f"1 {word}")
        )
        assert f"status: *{label}*" in card_text(update)
        notice = dms_to_author(fake_slack)[-1]
        assert f"Your idea #1 was moved to *{label}* by <@{MANAGER}>" in notice
        assert "Refunds in one click" in notice

    assert len(dms_to_author(fake_slack)) == 3
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.done


def test_the_manager_is_told_what_happened(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    told = status(slack, fake_slack, "#1 under review")

    assert told == "#1 is now *Under review*. Its author was told by DM."


def test_an_anonymous_author_is_told_by_dm_and_no_one_learns_who_they_are(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Callback instead of queueing", user=TEAM[0], anonymous=True)
    fake_slack.reset_calls()

    told = status(slack, fake_slack, "1 planned Next quarter")

    notice = fake_slack.wait_for("chat.postMessage")[0]
    assert notice["channel"] == TEAM[0]
    assert notice["text"].startswith("Your anonymous idea #1 was moved to *Planned*")
    assert "*Note from the team:* Next quarter" in notice["text"]
    assert "only you got this message" in notice["text"]
    assert TEAM[0] not in told
    card = fake_slack.wait_for("chat.update")[0]
    assert TEAM[0] not in str(card) and "a colleague (anonymous)" in card_text(card)
    assert fake_slack.calls_to("users.list")  # found by recomputing tokens over the workspace's directory,
    # read from Slack here as at a first start
    with sessions() as session:
        idea = session.exec(select(Idea)).one()
        assert idea.author_id is None
        assert TEAM[0] not in repr(idea.model_dump())


def test_the_directory_is_read_page_by_page_once_and_not_again_for_each_move(slack, fake_slack):
    for number in range(250):  # more than one page of 200
        fake_slack.add_user(f"U1{number:05d}")
    fake_slack.add_user("U9LATE")  # the author is on the second page
    with freeze_time(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=True) as clock:
        post_idea(slack, fake_slack, "Anonymous idea", user="U9LATE", anonymous=True)

        status(slack, fake_slack, "1 review")
        assert [call.get("cursor", "") for call in fake_slack.calls_to("users.list")] == ["", "200"]
        status(slack, fake_slack, "1 planned")
        clock.tick(timedelta(minutes=6))
        status(slack, fake_slack, "1 done")
        # The directory served both; Slack's events keep it, and the scheduler's daily read
        # (tests/test_directory.py).
        assert len(fake_slack.calls_to("users.list")) == 2

    # The confirmation of the post, then one notice per move.
    assert [call["channel"] for call in fake_slack.calls_to("chat.postMessage")].count("U9LATE") == 4


def test_someone_who_joined_after_the_directory_was_read_is_still_found(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "First", user=TEAM[0], anonymous=True)
    status(slack, fake_slack, "1 review")  # reads the directory, and keeps it a minute
    fake_slack.add_user("U0NEWBIE")
    slack.event({"type": "team_join", "user": fake_slack.users["U0NEWBIE"]})  # as Slack tells the app
    in_directory(sessions, "U0NEWBIE")
    post_idea(slack, fake_slack, "From a newcomer", user="U0NEWBIE", anonymous=True)

    told = status(slack, fake_slack, "2 review")

    assert ANONYMOUS_AUTHOR_TOLD in told
    assert fake_slack.calls_to("chat.postMessage")[-1]["channel"] == "U0NEWBIE"


def test_the_manager_hears_the_same_whether_an_anonymous_author_is_here_left_or_was_forgotten(
    slack, fake_slack, sessions
):
    """Attack: a manager moves the anonymous ideas along after a colleague left and another asked to be
    forgotten, and reads from pulsebot's answer which ideas were theirs."""
    here, left, forgotten = TEAM[:3]
    for author in (here, left, forgotten):
        post_idea(slack, fake_slack, f"An idea of {author}", user=author, anonymous=True)
    fake_slack.users[left]["deleted"] = True
    slack.event({"type": "user_change", "user": fake_slack.users[left]})  # as Slack tells the app
    in_directory(sessions, left, present=False)
    slack.command("/pulse", "forget-me", user=forgotten)
    reply_to(fake_slack, lambda: slack.click(action_id=FORGET_ME_ACTION, value="forget", user=forgotten))

    told = [status(slack, fake_slack, f"{idea_id} review") for idea_id in (1, 2, 3)]

    assert told == [f"#{idea_id} is now *Under review*. {ANONYMOUS_AUTHOR_TOLD}" for idea_id in (1, 2, 3)]
    notices = [
        post["channel"] for post in fake_slack.calls_to("chat.postMessage") if "was moved" in post["text"]
    ]
    assert notices == [here]  # only the author still here heard of it


def test_declining_needs_a_reason_which_the_card_and_the_author_show(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Free shipping everywhere", user=TEAM[0])

    refused = status(slack, fake_slack, "1 declined")
    assert "Declining #1 needs a reason its author can read" in refused
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.new

    told = status(slack, fake_slack, "1 declined Too costly <!channel> & <@U123>")

    assert told.startswith("#1 is now *Declined*.")
    card = card_text(fake_slack.wait_for("chat.update")[0])
    assert "*Why it was declined:* Too costly &lt;!channel&gt; &amp; &lt;@U123&gt;" in card
    notice = dms_to_author(fake_slack)[-1]
    assert "*Why it was declined:* Too costly &lt;!channel&gt; &amp; &lt;@U123&gt;" in notice
    assert "<!channel>" not in notice and "<@U123>" not in notice
    with sessions() as session:
        assert session.exec(select(Idea.status_reason)).one() == "Too costly <!channel> & <@U123>"


def test_idea_text_in_a_notice_is_escaped(slack, fake_slack):
    post_idea(slack, fake_slack, "<!channel> ask <@U123> about refunds & returns", user=TEAM[0])

    status(slack, fake_slack, "1 review")

    notice = dms_to_author(fake_slack)[-1]
    assert "&lt;!channel&gt; ask &lt;@U123&gt; about refunds &amp; returns" in notice
    assert "<!channel>" not in notice and "<@U123>" not in notice


@pytest.mark.parametrize(
    ("moves", "refused_move", "message"),
    [
        (["done"], "planned", "#1 is Done, which is final. An admin can reopen it"),
        (["declined No budget"], "done", "#1 is Declined, which is final"),
        (["planned"], "new", "An idea can't go back to New"),
        (["planned"], "planned", "#1 is already Planned."),
        (["done"], "review", "#1 is Done. Only an admin can reopen it."),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(
    slack, fake_slack, sessions, moves, refused_move, message
):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])
    for move in moves:
        status(slack, fake_slack, f"1 {move}")
    with sessions() as session:
        before = session.exec(select(Idea.status)).one()
    dms = len(dms_to_author(fake_slack))

    assert message in status(slack, fake_slack, f"1 {refused_move}")

    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is before
    assert len(dms_to_author(fake_slack)) == dms


def test_an_admin_reopens_a_final_idea_and_the_author_hears(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])
    status(slack, fake_slack, "1 declined Not now")

    told = status(slack, fake_slack, "1 reopen", user=ADMIN)

    assert told.startswith("#1 is now *Under review*.")
    assert (
        f"Your idea #1 was reopened by <@{ADMIN}> and is *Under review* again"
        in dms_to_author(fake_slack)[-1]
    )
    with sessions() as session:
        idea = session.exec(select(Idea)).one()
        assert (idea.status, idea.status_reason) == (IdeaStatus.under_review, None)


def test_people_who_are_not_managers_are_refused(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    refused = status(slack, fake_slack, "1 planned", user=TEAM[1])

    assert "Only managers and admins can change an idea's status" in refused
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.new
    assert dms_to_author(fake_slack) == []


def test_members_of_the_manager_group_are_managers(slack, fake_slack, settings, sessions):
    settings.manager_group = "S0LEADS"
    fake_slack.add_usergroup("S0LEADS", [TEAM[4]])
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    assert status(slack, fake_slack, "1 planned", user=TEAM[4]).startswith("#1 is now *Planned*")
    assert "Only managers" in status(slack, fake_slack, "1 done", user=TEAM[3])
    assert fake_slack.calls_to("usergroups.users.list")[0]["usergroup"] == "S0LEADS"


def test_an_unreadable_manager_group_is_explained(slack, fake_slack, settings):
    settings.manager_group = "S0GONE"
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    refused = status(slack, fake_slack, "1 planned", user=TEAM[4])

    assert "could not read the manager group S0GONE from Slack (no_such_subteam)" in refused


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("", "Which idea, and to which status?"),
        ("7", "To which status should #7 go?"),
        ("1 <!here>", "“&lt;!here&gt;” is not a status."),
        ("99 planned", "There is no idea #99."),
    ],
)
def test_unclear_status_commands_are_explained(slack, fake_slack, args, message):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    reply = slack.command("/idea", f"status {args}".strip(), user=MANAGER)

    told = reply.text or fake_slack.wait_for("response_url", 2)[1]["text"]
    assert message in told


def test_an_idea_that_merely_starts_with_status_is_posted(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "status page for outages", user=TEAM[0])

    with sessions() as session:
        assert session.exec(select(Idea.text)).one() == "status page for outages"
    assert fake_slack.calls_to("chat.postMessage")[0]["channel"] == IDEAS_CHANNEL


def test_a_shipped_idea_is_announced_in_the_shipped_channel_naming_its_author(slack, fake_slack, settings):
    settings.shipped_channel = "C0SHIPPED"
    post_idea(slack, fake_slack, "Refunds & returns in <!channel> one click", user=TEAM[0])
    for voter in TEAM[1:4]:
        next_call(
            fake_slack, "chat.update", lambda v=voter: slack.click(action_id="idea_vote", value="1", user=v)
        )

    told = status(slack, fake_slack, "1 done Live since Monday")

    shipped = fake_slack.calls_to("chat.postMessage")[-1]
    assert shipped["channel"] == "C0SHIPPED"
    assert shipped["text"] == (
        ":rocket: *Shipped:* Refunds &amp; returns in &lt;!channel&gt; one click"
        f" — suggested by <@{TEAM[0]}>, 3 votes\n*Note from the team:* Live since Monday"
    )
    assert told.endswith("Its author was told by DM. Announced in <#C0SHIPPED>.")


def test_an_anonymous_shipped_idea_credits_a_colleague_in_the_ideas_channel(slack, fake_slack):
    post_idea(slack, fake_slack, "Callback instead of queueing", user=TEAM[0], anonymous=True)
    next_call(fake_slack, "chat.update", lambda: slack.click(action_id="idea_vote", value="1", user=TEAM[1]))

    status(slack, fake_slack, "1 done")

    shipped = fake_slack.calls_to("chat.postMessage")[-1]
    assert shipped["channel"] == IDEAS_CHANNEL  # no PULSEBOT_SHIPPED_CHANNEL: the ideas channel
    assert (
        shipped["text"]
        == ":rocket: *Shipped:* Callback instead of queueing — suggested by a colleague, 1 vote"
    )
    assert TEAM[0] not in str(shipped)


def test_when_slack_refuses_a_notice_the_change_stands_and_the_manager_is_told(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])
    fake_slack.fail("chat.update", "message_not_found")
    fake_slack.fail("chat.postMessage", "user_disabled")

    told = status(slack, fake_slack, "1 planned")

    assert told == (
        "#1 is now *Planned*. I could not update its card (message_not_found). "
        "I could not tell its author (user_disabled)."
    )
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.planned


def test_a_long_idea_and_a_long_reason_still_fit_on_the_card(slack, fake_slack):
    post_idea(slack, fake_slack, "&" * 1000, user=TEAM[0])  # five characters each once escaped

    status(slack, fake_slack, "1 declined " + "<" * 500)

    text = fake_slack.wait_for("chat.update")[0]["blocks"][0]["text"]["text"]
    assert len(text) <= 3000
    assert text.endswith("*Why it was declined:* " + "&lt;" * 500)  # the reason is never the part cut
    assert "&amp;&amp;…" in text


def in_directory(sessions, user_id: str, *, present: bool = True, timeout: float = 10.0) -> None:
    """Wait until the event's listener (after its ack) has put the person in the directory, or out."""
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            found = session.get(DirectoryPerson, ("", user_id)) is not None
        if found is present:
            return
        assert time.monotonic() < deadline, f"{user_id} still {'out of' if present else 'in'} the directory"
        time.sleep(0.05)
