"""`share_results: auto`: the `results-share` sweep posts each such team's last complete week to its
channel once the digest time has passed in the team's time zone, without comments, once; a hidden week
is simply not shared."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.survey.survey_file import ShareResults, SurveyFileError, parse_surveys
from pulsebot.services.survey.surveys import apply_survey, find_survey, survey_spec
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry, ResultsShare
from tests.conftest import PINNED_NOW, PULSE_CHANNEL
from tests.loop.share_steps import COMMENTS, SURVEY, block_texts, team_with_weeks

pytestmark = pytest.mark.clock

LAST_WEEK = date(2026, 3, 16)  # the week before Monday 23 March 2026
NOW = PINNED_NOW


def sharing_automatically(sessions) -> None:
    with transaction(sessions) as session:
        spec = survey_spec(session, name=SURVEY)
        outcome = apply_survey(
            session, spec=spec.model_copy(update={"share_results": ShareResults.auto}), now=datetime.now(UTC)
        )
        assert outcome.value == "updated"
        assert find_survey(session, name=SURVEY).share_results_auto is True


def sweep_at(moment: str) -> None:
    with freeze_time(moment, tick=True):
        scheduling.share_results_automatically()


def shares(sessions) -> list[ResultsShare]:
    with transaction(sessions) as session:
        return list(session.exec(select(ResultsShare)).all())


def test_the_sweep_is_a_minute_sweep_named_results_share():
    assert scheduling.SWEEPS["results-share"] == "pulsebot.scheduling:share_results_automatically"


def test_the_last_complete_week_is_shared_once_after_the_digest_time_without_comments(
    sessions, fake_slack, jobs_runtime
):
    team_with_weeks(sessions, through=LAST_WEEK)
    sharing_automatically(sessions)

    sweep_at("2026-03-23 07:55:00+00:00")  # 08:55 in Berlin: before the digest time
    assert fake_slack.posts_to(PULSE_CHANNEL) == [] and shares(sessions) == []
    sweep_at("2026-03-23 08:05:00+00:00")  # 09:05 in Berlin
    sweep_at("2026-03-23 08:06:00+00:00")
    sweep_at("2026-03-24 12:00:00+00:00")

    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    text = block_texts(post["blocks"])
    assert post["text"].startswith("Weekly team pulse, week of 16 Mar: 6 of 6 answered (100%)")
    assert "Shared automatically every week." in text
    assert not any(comment in text for comment in COMMENTS.values())
    (share,) = shares(sessions)
    assert (share.week, share.shared_by, share.with_comments) == (LAST_WEEK, "scheduler", False)
    assert share.channel_id == PULSE_CHANNEL and share.message_ts
    with transaction(sessions) as session:
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == AuditAction.results_shared)
        ).all()
    assert (entry.actor, entry.scope) == ("scheduler", SURVEY)
    assert "week of 16 Mar 2026" in entry.detail and "without comments" in entry.detail


def test_a_hidden_week_is_not_shared_and_nothing_is_said(sessions, fake_slack, jobs_runtime):
    team_with_weeks(sessions, through=LAST_WEEK, answered_last=4)
    sharing_automatically(sessions)

    sweep_at("2026-03-23 09:00:00+00:00")
    sweep_at("2026-03-24 09:00:00+00:00")

    assert fake_slack.calls_to("chat.postMessage") == []
    assert shares(sessions) == []


def test_a_survey_without_share_results_auto_is_left_to_its_managers(sessions, fake_slack, jobs_runtime):
    team_with_weeks(sessions, through=LAST_WEEK)

    sweep_at("2026-03-23 09:00:00+00:00")

    assert fake_slack.posts_to(PULSE_CHANNEL) == [] and shares(sessions) == []


def test_slack_refusing_the_automatic_post_leaves_the_week_to_share_at_the_next_pass(
    sessions, fake_slack, jobs_runtime
):
    team_with_weeks(sessions, through=LAST_WEEK)
    sharing_automatically(sessions)
    fake_slack.fail("chat.postMessage", "not_in_channel")

    sweep_at("2026-03-23 08:05:00+00:00")
    assert shares(sessions) == []
    sweep_at("2026-03-23 08:06:00+00:00")

    assert len(fake_slack.posts_to(PULSE_CHANNEL)) == 2  # refused, then posted
    assert len(shares(sessions)) == 1


def test_share_results_is_read_from_the_survey_file_and_checked():
    (spec,) = parse_surveys(
        "name: t\nchannel: G0123ABCD\nshare_results: auto\nquestions:\n  - key: a\n    kind: enps\n",
        source="t.yml",
    )
    assert spec.share_results is ShareResults.auto
    with pytest.raises(SurveyFileError, match=r"t.yml:3: share_results: Input should be 'manual' or 'auto'"):
        parse_surveys(
            "name: t\nchannel: G0123ABCD\nshare_results: always\nquestions:\n  - key: a\n    kind: enps\n",
            source="t.yml",
        )


def test_the_survey_form_shows_and_keeps_share_results(slack, fake_slack, sessions):
    from tests.listeners.views.test_survey_form import YAML, open_form, state_of, submit

    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(YAML + "share_results: auto\n", source="t.yml")[0], now=NOW)

    view = open_form(slack, fake_slack, "edit team-pulse")
    assert state_of(view)["sharing"]["value"]["selected_options"] == [{"value": "share_results_auto"}]
    submit(slack, view)
    assert fake_slack.wait_for("chat.postMessage")[0]["text"].startswith("No changes to survey *team-pulse*")
    submit(slack, view, sharing=[])
    assert fake_slack.wait_for("chat.postMessage", 2)[1]["text"].startswith("Updated survey *team-pulse*")
    with transaction(sessions) as session:
        assert find_survey(session, name="team-pulse").share_results_auto is False
