"""A manager shares the week of their digest with the team: the preview, the post in the team's channel
(the digest's own figures), the ResultsShare row and the audit entry; comments only when ticked, and
then only those the digest quoted; once a week; only by the team's managers and admins."""

import json
import random
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.services.digest.digests import build_digests
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, find_survey
from pulsebot.slack.blocks.sharing import share_value
from pulsebot.slack.digest import send_digests
from pulsebot.store.db import transaction
from pulsebot.store.models import (
    ActionStatus,
    Answer,
    AuditAction,
    AuditEntry,
    FocusKind,
    ResultsShare,
    TeamAction,
)
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL
from tests.drivers.test_driver_views import support_team
from tests.loop.share_steps import (
    COMMENTS,
    SURVEY,
    TEAM,
    block_texts,
    click_share,
    fields_of,
    last_week,
    on_tuesday,
    submit_share,
    team_with_weeks,
)
from tests.pulse_data import merge, run_week, scores

pytestmark = pytest.mark.clock

OUTSIDER = TEAM[1]  # in the team, not one of its managers


def shares(sessions) -> list[ResultsShare]:
    with transaction(sessions) as session:
        return list(session.exec(select(ResultsShare)).all())


def share_audit(sessions) -> list[AuditEntry]:
    with transaction(sessions) as session:
        query = select(AuditEntry).where(AuditEntry.action == AuditAction.results_shared)
        return list(session.exec(query).all())


def quoted_by_digest(sessions, settings, week) -> tuple[str, ...]:
    with transaction(sessions) as session:
        digests, _ = build_digests(
            session,
            now=datetime.now(UTC),
            min_group=settings.min_group,
            weeks=settings.trend_weeks,
            survey_names=[SURVEY],
            week=week,
            rng=random.Random(1),
        )
    return digests[SURVEY].comments


def channel_post(fake_slack) -> dict:
    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    return post


def test_clicking_share_opens_a_preview_of_the_post_with_the_comments_box(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))

    click_share(slack, week=week)

    (opened,) = fake_slack.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "share_results_view"
    assert json.loads(view["private_metadata"]) == {"survey": SURVEY, "week": week.isoformat()}
    text = block_texts(view["blocks"])
    assert f"<#{PULSE_CHANNEL}> will see" in text
    assert "Weekly team pulse: your pulse results" in text
    assert "100% (6 of 6)" in text
    assert "Include the 3 comments quoted in your digest" in text
    assert not any(comment in text for comment in COMMENTS.values())  # a preview without them
    assert fake_slack.posts_to(PULSE_CHANNEL) == []  # nothing posted by a click


def test_no_comments_box_when_the_digest_quoted_none(slack, sessions, fake_slack):
    week = last_week(datetime.now(UTC))
    team_with_weeks(sessions, through=week)
    with transaction(sessions) as session:  # a week without comments: the answers stay, comments go
        for answer in session.exec(select(Answer).where(Answer.comment.is_not(None))).all():
            session.delete(answer)

    click_share(slack, week=week)

    (opened,) = fake_slack.wait_for("views.open")
    assert not any(block["type"] == "input" for block in opened["view"]["blocks"])


def test_submitting_posts_the_digest_s_figures_to_the_channel_records_and_audits_the_share(
    slack, sessions, fake_slack, settings, client
):
    now = datetime.now(UTC)
    week = team_with_weeks(sessions, through=last_week(now))
    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)
    (digest,) = fake_slack.posts_to(MANAGER)

    reply = submit_share(slack, week=week)

    assert reply.status == 200 and reply.body in ("", "{}")
    (done,) = fake_slack.wait_for("chat.postMessage", 3)[2:]  # the digest, the post, the note to the manager
    post = channel_post(fake_slack)
    assert post["text"].startswith(f"Weekly team pulse, week of {week.day} {week:%b}: 6 of 6 answered (100%)")
    digest_fields, post_fields = fields_of(digest["blocks"]), fields_of(post["blocks"])
    for label in ("Mood (1–5)", "eNPS", "Answered", "Comments"):
        assert post_fields[label] == digest_fields[label]
    text = block_texts(post["blocks"])
    assert "*Questions this week*\n• My workload this week was manageable. — 3.3 of 5" in text
    assert "ticket backlog (2 comments)" in text
    assert f"Shared by <@{MANAGER}> from the weekly digest." in text
    assert not any(comment in text for comment in COMMENTS.values())  # not ticked: no comment at all
    assert done["channel"] == MANAGER and f"is in <#{PULSE_CHANNEL}>" in done["text"]
    (share,) = shares(sessions)
    assert (share.week, share.shared_by, share.with_comments) == (week, MANAGER, False)
    assert (share.channel_id, share.message_ts) == (PULSE_CHANNEL, post_ts(fake_slack))
    (entry,) = share_audit(sessions)
    assert (entry.actor, entry.scope) == (MANAGER, SURVEY)
    assert entry.detail.startswith(f"week of {week:%-d %b %Y}") and "without comments" in entry.detail


def test_one_click_shares_the_digest_s_week_without_comments(slack, sessions, fake_slack, settings, client):
    now = datetime.now(UTC)
    week = team_with_weeks(sessions, through=last_week(now))
    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)
    (digest,) = fake_slack.posts_to(MANAGER)
    row = next(block for block in digest["blocks"] if block.get("block_id") == "digest_loop")
    button = next(element for element in row["elements"] if element["action_id"] == "share_results_now")

    slack.click(action_id="share_results_now", value=button["value"], user=MANAGER, channel="D0MANAGER")

    told = fake_slack.wait_for("response_url")[0]
    assert f"is in <#{PULSE_CHANNEL}>" in told["text"] and told["response_type"] == "ephemeral"
    post = channel_post(fake_slack)
    assert fields_of(post["blocks"])["Answered"] == fields_of(digest["blocks"])["Answered"]
    assert not any(comment in block_texts(post["blocks"]) for comment in COMMENTS.values())
    assert fake_slack.calls_to("views.open") == []  # no preview on the way
    (share,) = shares(sessions)
    assert (share.week, share.shared_by, share.with_comments) == (week, MANAGER, False)
    (entry,) = share_audit(sessions)
    assert entry.actor == MANAGER and "without comments" in entry.detail

    slack.click(action_id="share_results_now", value=button["value"], user=MANAGER, channel="D0MANAGER")
    again = fake_slack.wait_for("response_url", 2)[1]
    assert "already" in again["text"]
    assert len([p for p in fake_slack.posts_to(PULSE_CHANNEL)]) == 1


def test_one_click_from_someone_who_may_not_share_posts_nothing(slack, sessions, fake_slack):
    now = datetime.now(UTC)
    week = team_with_weeks(sessions, through=last_week(now))

    slack.click(
        action_id="share_results_now", value=share_value(SURVEY, week), user="U0INTRUDER", channel="D0X"
    )

    refusal = fake_slack.wait_for("response_url")[0]
    assert "Only the managers" in refusal["text"]
    assert fake_slack.posts_to(PULSE_CHANNEL) == [] and shares(sessions) == []


def post_ts(fake_slack) -> str:
    return fake_slack.messages_in(PULSE_CHANNEL)[0]["ts"]


def test_ticked_comments_are_exactly_the_ones_the_digest_quoted(slack, sessions, fake_slack, settings):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    quoted = quoted_by_digest(sessions, settings, week)
    assert len(quoted) == 3

    submit_share(slack, week=week, comments=True)

    fake_slack.wait_for("chat.postMessage", 2)
    text = block_texts(channel_post(fake_slack)["blocks"])
    assert "In your words" in text
    assert all(comment in text for comment in quoted)
    left_out = [comment for comment in COMMENTS.values() if comment not in quoted]
    assert left_out and not any(comment in text for comment in left_out)
    (share,) = shares(sessions)
    assert share.with_comments is True
    assert "with the comments quoted in the digest" in share_audit(sessions)[0].detail


def test_a_week_shared_already_is_refused_saying_when_and_by_whom(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    submit_share(slack, week=week)
    fake_slack.wait_for("chat.postMessage", 2)
    fake_slack.reset_calls()

    clicked = click_share(slack, week=week, user=ADMIN)
    again = submit_share(slack, week=week, user=ADMIN)

    (said,) = fake_slack.wait_for("response_url")
    assert "was already shared with the team" in said["text"] and f"by <@{MANAGER}>" in said["text"]
    assert clicked.status == 200
    assert again.json["response_action"] == "update"
    notice = block_texts(again.json["view"]["blocks"])
    assert "was already shared" in notice and f"by <@{MANAGER}>" in notice and " UTC " in notice
    assert fake_slack.calls_to("views.open") == []
    assert fake_slack.posts_to(PULSE_CHANNEL) == []
    assert len(shares(sessions)) == 1 and len(share_audit(sessions)) == 1


def test_someone_who_is_not_a_manager_of_the_team_is_refused_even_with_forged_payloads(
    slack, sessions, fake_slack
):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))

    click_share(slack, week=week, user=OUTSIDER)
    submitted = submit_share(slack, week=week, user=OUTSIDER, comments=True)

    (said,) = fake_slack.wait_for("response_url")
    assert said["text"].startswith("Only the managers of “Weekly team pulse” and pulsebot admins")
    assert submitted.json["response_action"] == "update"
    assert "Only the managers" in block_texts(submitted.json["view"]["blocks"])
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.postMessage") == []
    assert shares(sessions) == [] and share_audit(sessions) == []


def test_a_forged_week_or_survey_is_refused_in_words(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    this_week = week + timedelta(weeks=1)

    current = submit_share(slack, week=this_week)
    garbage = slack.click(action_id="share_results", value="{not json", user=MANAGER)
    other = submit_share(slack, week=week, survey="no-such-team")

    assert "is not over yet" in block_texts(current.json["view"]["blocks"])
    assert garbage.status == 200
    assert "There is no survey called “no-such-team”" in block_texts(other.json["view"]["blocks"])
    (said,) = fake_slack.wait_for("response_url")
    assert "not one pulsebot made" in said["text"]
    assert shares(sessions) == [] and fake_slack.posts_to(PULSE_CHANNEL) == []


def test_slack_refusing_the_post_leaves_no_share_and_tells_the_manager_why(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    fake_slack.fail("chat.postMessage", "not_in_channel")

    submit_share(slack, week=week)

    refused, told = fake_slack.wait_for("chat.postMessage", 2)
    assert refused["channel"] == PULSE_CHANNEL
    assert told["channel"] == MANAGER
    assert f"Invite @pulsebot to <#{PULSE_CHANNEL}> first" in told["text"]
    assert "Traceback" not in told["text"] and "not_in_channel" not in told["text"]
    assert shares(sessions) == [] and share_audit(sessions) == []

    submit_share(slack, week=week)  # once invited, sharing works

    fake_slack.wait_for("chat.postMessage", 4)
    assert len(shares(sessions)) == 1


def test_two_managers_submitting_at_once_make_one_post(slack, sessions, fake_slack, settings):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)), managers=(MANAGER, "U0MGRTWO"))
    replies = {}

    def share(user: str) -> None:
        replies[user] = submit_share(slack, week=week, user=user)

    threads = [threading.Thread(target=share, args=(user,)) for user in (MANAGER, "U0MGRTWO")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    fake_slack.wait_for("chat.postMessage", 2)
    assert len(fake_slack.posts_to(PULSE_CHANNEL)) == 1
    refused = [reply for reply in replies.values() if reply.body.startswith("{") and reply.json]
    assert len(refused) == 1
    assert "shared" in block_texts(refused[0].json["view"]["blocks"])
    (share,) = shares(sessions)
    assert share.shared_by in (MANAGER, "U0MGRTWO") and len(share_audit(sessions)) == 1


def test_a_library_team_s_post_names_the_digest_s_strongest_and_weakest_driver(
    slack, sessions, fake_slack, settings, client
):
    support_team(sessions)
    now = datetime.now(UTC)
    send_digests(client, sessions, settings, now=now, survey_name="support")
    digest = block_texts(fake_slack.posts_to(MANAGER)[0]["blocks"])
    strongest = next(line for line in digest.splitlines() if line.startswith("• Strongest:"))
    weakest = next(line for line in digest.splitlines() if line.startswith("• Weakest:"))

    submit_share(slack, week=last_week(now, "UTC"), survey="support")

    fake_slack.wait_for("chat.postMessage", 3)
    (post,) = fake_slack.posts_to("G0DRIVERS")
    text = block_texts(post["blocks"])
    assert "Drivers over the last 2 pulses" in text
    assert strongest == "• Strongest: Autonomy 4.0 ↑ 1.0" and strongest in text
    assert weakest in text
    assert "Look at" not in text  # the manager's own pointer stays in the digest


def test_what_we_will_do_lists_the_visible_actions_still_open(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    with transaction(sessions) as session:
        survey_id = find_survey(session, name=SURVEY).id
        for text, status, visible in (
            ("Split the ticket backlog by owner", ActionStatus.planned, True),
            ("No meetings on Friday afternoons", ActionStatus.in_progress, True),
            ("A private note to ourselves", ActionStatus.planned, False),
            ("Hire a contractor", ActionStatus.done, True),
        ):
            session.add(
                TeamAction(
                    survey_id=survey_id,
                    focus_kind=FocusKind.theme,
                    focus_key="ticket backlog",
                    focus_label="ticket backlog",
                    text=text,
                    owner_id="U0OWNER",
                    due_on=date(2026, 12, 18),
                    visible=visible,
                    status=status,
                    created_by=MANAGER,
                    started_on=week,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )

    submit_share(slack, week=week)

    fake_slack.wait_for("chat.postMessage", 2)
    text = block_texts(channel_post(fake_slack)["blocks"])
    assert "What we will do" in text
    assert "• Split the ticket backlog by owner — <@U0OWNER>, by 18 Dec 2026" in text
    assert "• No meetings on Friday afternoons — <@U0OWNER>, by 18 Dec 2026" in text
    assert "A private note" not in text and "Hire a contractor" not in text


def test_a_hidden_week_or_a_week_without_a_pulse_cannot_be_shared_even_by_a_forged_click(
    slack, sessions, fake_slack
):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)), answered_last=4)

    hidden = submit_share(slack, week=week)
    no_pulse = submit_share(slack, week=week - timedelta(weeks=5))

    assert "cannot be shared: fewer than 5 answered" in block_texts(hidden.json["view"]["blocks"])
    assert "No pulse of “Weekly team pulse” ran" in block_texts(no_pulse.json["view"]["blocks"])
    assert fake_slack.calls_to("chat.postMessage") == [] and shares(sessions) == []


def test_a_claim_whose_post_never_came_lapses_instead_of_blocking_the_week(slack, sessions, fake_slack):
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)), managers=(MANAGER, "U0MGRTWO"))
    with transaction(sessions) as session:  # another manager's claim, its process gone before posting
        survey_id = find_survey(session, name=SURVEY).id
        session.add(
            ResultsShare(survey_id=survey_id, week=week, shared_at=datetime.now(UTC), shared_by="U0MGRTWO")
        )

    fresh = submit_share(slack, week=week)
    with transaction(sessions) as session:
        session.exec(select(ResultsShare)).one().shared_at = datetime.now(UTC) - timedelta(minutes=11)
    lapsed = submit_share(slack, week=week)

    assert "is being shared with the team by <@U0MGRTWO> right now" in block_texts(
        fresh.json["view"]["blocks"]
    )
    assert lapsed.body in ("", "{}")
    fake_slack.wait_for("chat.postMessage", 2)
    (share,) = shares(sessions)
    assert (share.shared_by, share.channel_id) == (MANAGER, PULSE_CHANNEL)


TWO_QUESTIONS = f"""\
name: two-questions
title: Two questions
channel: {PULSE_CHANNEL}
timezone: Europe/Berlin
managers: [{MANAGER}]
questions:
  - key: workload
    kind: scale
    prompt: My workload was manageable.
  - key: help
    kind: scale
    prompt: I got the help I needed.
"""


def test_without_the_library_the_post_names_the_strongest_and_weakest_question(slack, sessions, fake_slack):
    week = last_week(datetime.now(UTC))
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(TWO_QUESTIONS, source="t.yml")[0], now=on_tuesday(week))
    run_week(
        sessions,
        survey="two-questions",
        opened=on_tuesday(week),
        audience=TEAM,
        answers=merge(scores(TEAM, [2, 3, 2, 3, 2, 3]), scores(TEAM, [4, 5, 4, 4, 5, 3], question="help")),
    )

    submit_share(slack, week=week, survey="two-questions")

    fake_slack.wait_for("chat.postMessage", 2)
    text = block_texts(channel_post(fake_slack)["blocks"])
    assert "*Questions this week*" in text
    assert "• Strongest: I got the help I needed. — 4.2 of 5" in text
    assert "• Weakest: My workload was manageable. — 2.5 of 5" in text
