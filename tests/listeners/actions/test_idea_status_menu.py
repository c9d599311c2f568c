"""The status menu on an idea card: it offers the legal moves; only managers may use it."""

from sqlmodel import select

from pulsebot.store.models import Idea, IdeaStatus
from tests.conftest import ADMIN, IDEAS_CHANNEL, MANAGER, TEAM
from tests.idea_steps import next_call, post_idea, reply_to


def menu_of(card: dict) -> dict:
    return card["blocks"][2]["elements"][1]


def choose(slack, fake_slack, value: str, *, user: str = MANAGER) -> str:
    return reply_to(
        fake_slack,
        lambda: slack.choose(action_id="idea_status", value=value, user=user, channel=IDEAS_CHANNEL),
    )


def test_the_card_menu_offers_the_moves_open_from_the_current_status(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    menu = menu_of(fake_slack.calls_to("chat.postMessage")[0])
    assert menu["type"] == "overflow" and menu["action_id"] == "idea_status"
    assert [(option["value"], option["text"]["text"]) for option in menu["options"]] == [
        ("1:under_review", "Move to Under review"),
        ("1:planned", "Move to Planned"),
        ("1:done", "Move to Done"),
        ("1:declined", "Decline…"),
    ]

    card = next_call(fake_slack, "chat.update", lambda: choose(slack, fake_slack, "1:done"))
    assert [option["value"] for option in menu_of(card)["options"]] == ["1:under_review"]
    assert menu_of(card)["options"][0]["text"]["text"] == "Reopen (admins)"


def test_a_manager_moves_an_idea_from_the_menu_and_the_author_hears(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    told = choose(slack, fake_slack, "1:planned")

    assert told == "#1 is now *Planned*. Its author was told by DM."
    reply = fake_slack.calls_to("response_url")[-1]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "status: *Planned*" in str(fake_slack.wait_for("chat.update")[0]["blocks"])
    notice = fake_slack.calls_to("chat.postMessage")[-1]
    assert notice["channel"] == TEAM[0] and "moved to *Planned*" in notice["text"]
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.planned


def test_someone_who_is_not_a_manager_is_refused_privately(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    for value in ("1:planned", "1:declined"):
        told = choose(slack, fake_slack, value, user=TEAM[1])
        assert "Only managers and admins can change an idea's status" in told
        assert fake_slack.calls_to("response_url")[-1]["response_type"] == "ephemeral"

    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.update") == []
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.new


def test_decline_opens_a_modal_asking_for_the_reason(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds & <!channel>", user=TEAM[0])

    slack.choose(action_id="idea_status", value="1:declined", user=MANAGER, channel=IDEAS_CHANNEL)

    view = fake_slack.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == "idea_decline_view"
    assert view["title"]["text"] == "Decline idea #1"
    assert [block.get("block_id") for block in view["blocks"]][1] == "reason"
    assert "Refunds &amp; &lt;!channel&gt;" in view["blocks"][0]["text"]["text"]


def test_an_illegal_move_from_a_stale_card_is_refused(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])
    choose(slack, fake_slack, "1:done")

    assert "#1 is Done, which is final" in choose(slack, fake_slack, "1:planned")
    assert "#1 is Done. Only an admin can reopen it." in choose(slack, fake_slack, "1:under_review")
    assert "#1 is Done, which is final" in choose(slack, fake_slack, "1:declined")  # no modal for it
    assert fake_slack.calls_to("views.open") == []
    assert choose(slack, fake_slack, "1:under_review", user=ADMIN).startswith("#1 is now *Under review*")


def test_a_forged_menu_value_is_refused(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    for value in ("1:archived", "x:done", "99999999999:done"):
        assert "not one pulsebot recognises" in choose(slack, fake_slack, value)
