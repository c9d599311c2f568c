"""Every view and message pulsebot builds stays inside Slack's limits (src/pulsebot/slack/limits.py) for any
data pulsebot accepts: as many teams, managers, actions, ideas, questions and options as a person may
have, and the longest text each field takes, full of characters Slack escapes (`&`, `<`, `>`) or reads
as mentions. Slack would refuse a view or a message that passed a limit, and the person would see nothing;
a cut inside an entity would show a broken mention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulsebot.i18n import LANGUAGES, translator
from pulsebot.services.digest.home import HomeSummary, OpenPulse
from pulsebot.services.digest.manager_home import TeamFigures
from pulsebot.services.idea.idea_lists import IdeaList
from pulsebot.services.idea.idea_status import REASON_MAX_CHARS as IDEA_REASON_MAX_CHARS
from pulsebot.services.idea.ideas import CATEGORIES, IDEA_MAX_CHARS, STAGES, IdeaView
from pulsebot.services.loop.actions import REASON_MAX_CHARS, TEXT_MAX_CHARS, ActionLine, HomeActions
from pulsebot.services.loop.focus import LABEL_CHARS, FocusOption, FocusOptions
from pulsebot.services.loop.helping import Helping, HelpingRound
from pulsebot.services.loop.you_said import DoneItem, MonthPost
from pulsebot.services.pulse.answers import COMMENT_MAX_CHARS
from pulsebot.services.pulse.pulses import QuestionView, RunView
from pulsebot.services.reply.conversations import REPLY_MAX_CHARS
from pulsebot.services.reply.relay import DueRelay
from pulsebot.services.reply.reply_subjects import Subject
from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.survey_file import MAX_PER_RUN, survey_from_mapping
from pulsebot.services.survey.surveys import SurveySummary
from pulsebot.slack import limits
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.actions import action_modal, channel_post, drop_modal, reminder_text, status_post
from pulsebot.slack.blocks.forgetting import forget_me_question
from pulsebot.slack.blocks.helping import helping_message
from pulsebot.slack.blocks.home import home_view
from pulsebot.slack.blocks.idea_lists import idea_list_text
from pulsebot.slack.blocks.idea_status import decline_modal
from pulsebot.slack.blocks.ideas import idea_card, idea_modal
from pulsebot.slack.blocks.pulses import comment_modal, pulse_message
from pulsebot.slack.blocks.replies import closed_message, reply_modal, to_author_message, to_manager_message
from pulsebot.slack.blocks.surveys import survey_form, survey_list
from pulsebot.slack.blocks.you_said import month_post_message
from pulsebot.store.models import (
    ActionStatus,
    AuditAction,
    AuditEntry,
    ConversationSubject,
    FocusKind,
    IdeaStatus,
    QuestionKind,
    RelayDirection,
)
from tests.slack_limits import message_problems, view_problems

PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
USER_IDS = st.from_regex(r"U[A-Z0-9]{2,19}", fullmatch=True)
# Characters Slack escapes or reads specially, wide ones, plain letters, and whole entities.
PIECES = st.sampled_from([*"aZ &<>@#!|*_~`:-\n", "é", "😀", "<@U0ALICE>", "&amp;", "https://x.io/a?b=c&d"])


def texts(most: int, least: int = 1) -> st.SearchStrategy[str]:
    """Text of up to `most` characters: random, or the longest there is, made of one awkward character."""
    return st.one_of(
        st.lists(PIECES, min_size=least, max_size=most).map(lambda pieces: "".join(pieces)[:most] or "x"),
        st.sampled_from(["&", "<", "a", "é"]).map(lambda char: char * most),
    )


def many(strategy, most: int, least: int = 0):
    """A few items, or as many as there may be (one item, `most` times over: large without costing much)."""
    return st.one_of(
        st.lists(strategy, min_size=least, max_size=3),
        strategy.map(lambda item: [item] * most),
    )


def ideas() -> st.SearchStrategy[IdeaView]:
    return st.builds(
        IdeaView,
        id=st.integers(1, 10**9),
        text=texts(IDEA_MAX_CHARS),
        category=st.sampled_from(CATEGORIES),
        stage=st.none() | st.sampled_from(STAGES),
        author_id=st.none() | USER_IDS,
        status=st.sampled_from(IdeaStatus),
        votes=st.integers(0, 10**6),
        reason=st.none() | texts(IDEA_REASON_MAX_CHARS),
        updated_at=st.just(NOW),
    )


def action_lines() -> st.SearchStrategy[ActionLine]:
    return st.builds(
        ActionLine,
        id=st.integers(1, 10**9),
        survey_name=st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True),
        team_title=texts(150),
        channel=st.just("C0TEAM"),
        timezone=st.just("Europe/Berlin"),
        focus_kind=st.sampled_from(FocusKind),
        focus_label=texts(LABEL_CHARS),
        text=texts(TEXT_MAX_CHARS),
        owner_id=USER_IDS,
        due_on=st.just(date(2026, 12, 24)),
        visible=st.booleans(),
        status=st.sampled_from(ActionStatus),
        reason=st.none() | texts(REASON_MAX_CHARS),
        created_by=USER_IDS,
        finished_at=st.none() | st.just(NOW),
        channel_id=st.none() | st.just("C0TEAM"),
        message_ts=st.none() | st.just("1.000001"),
    )


def done_items() -> st.SearchStrategy[DoneItem]:
    return st.builds(
        DoneItem,
        what=texts(IDEA_MAX_CHARS),
        answered=texts(LABEL_CHARS + 40),
        done_on=st.just(date(2026, 11, 20)),
        owner_id=st.none() | USER_IDS,
        idea_id=st.none() | st.integers(1, 10**9),
        team=st.none() | texts(150),
    )


def questions() -> st.SearchStrategy[QuestionView]:
    return st.builds(
        QuestionView,
        id=st.integers(1, 10**9),
        kind=st.sampled_from(QuestionKind),
        prompt=texts(300),
        options=st.lists(texts(75), min_size=2, max_size=10).map(tuple),
        required=st.booleans(),
        not_applicable=st.booleans(),
    )


def subjects() -> st.SearchStrategy[Subject]:
    return st.builds(
        Subject,
        kind=st.sampled_from(ConversationSubject),
        text=st.none() | texts(max(COMMENT_MAX_CHARS, IDEA_MAX_CHARS)),
        where=texts(150),
        idea_id=st.none() | st.integers(1, 10**9),
        named_author=st.booleans(),
    )


def relays() -> st.SearchStrategy[DueRelay]:
    return st.builds(
        DueRelay,
        conversation_id=st.just("c" * 32),
        seq=st.integers(1, 10**6),
        direction=st.sampled_from(RelayDirection),
        text=texts(REPLY_MAX_CHARS),
        manager_user_id=USER_IDS,
        subject=subjects(),
        still_open=st.booleans(),
        deliver_at=st.just(NOW),
    )


def assert_fits_view(view: dict) -> None:
    assert view_problems(view) == []


def assert_fits_message(text: str, blocks: list[dict] | None = None) -> None:
    assert message_problems({"text": text, "blocks": blocks or []}) == []


@PROPERTY
@given(
    pulses=many(
        st.builds(
            OpenPulse,
            title=texts(150),
            closes_at=st.just(NOW),
            timezone=st.just("UTC"),
            answered=st.booleans(),
        ),
        60,
    ),
    my_ideas=many(ideas(), 40),
    shipped=many(ideas(), 20),
    done=many(done_items(), 60),
    teams=many(st.builds(TeamFigures, scope=texts(80), title=texts(150), figures=st.none()), 300),
    audit=many(
        st.builds(
            AuditEntry,
            at=st.just(NOW),
            actor=USER_IDS,
            action=st.sampled_from(AuditAction),
            scope=texts(80),
            detail=st.none() | texts(200),
        ),
        50,
    ),
    managed=many(st.tuples(st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True), texts(150)), 300),
    actions=many(action_lines(), 300),
    paused=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    language=st.sampled_from(list(LANGUAGES)),
)
def test_app_home(pulses, my_ideas, shipped, done, teams, audit, managed, actions, paused, language):
    summary = HomeSummary(
        open_pulses=tuple(pulses),
        my_ideas=tuple(my_ideas),
        recently_shipped=tuple(shipped),
        team_actions_done=tuple(done),
        paused_through=paused,
    )
    home = HomeActions(show=True, teams=tuple(managed), actions=tuple(actions))
    assert_fits_view(
        home_view(summary, teams=tuple(teams), audit=audit, actions=home, tr=translator(language))
    )


@PROPERTY
@given(
    options=st.builds(
        FocusOptions,
        survey_name=st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True),
        title=texts(150),
        drivers=many(
            st.builds(
                FocusOption,
                kind=st.just(FocusKind.driver),
                key=texts(40),
                label=texts(LABEL_CHARS),
                detail=texts(20),
            ),
            150,
        ).map(tuple),
        questions=many(
            st.builds(FocusOption, kind=st.just(FocusKind.question), key=texts(40), label=texts(LABEL_CHARS)),
            150,
        ).map(tuple),
        themes=many(
            st.builds(
                FocusOption,
                kind=st.just(FocusKind.theme),
                key=texts(400),
                label=texts(LABEL_CHARS),
                detail=texts(20),
            ),
            150,
        ).map(tuple),
    ),
    source=st.sampled_from(["command", "digest", "home"]),
)
def test_the_planning_form(options, source):
    assert_fits_view(action_modal(options, source=source))


@PROPERTY
@given(action=action_lines())
def test_an_action_s_drop_form_post_and_reminders(action):
    assert_fits_view(drop_modal(action))
    assert_fits_message(*channel_post(action))


@PROPERTY
@given(items=many(done_items(), 60, least=1), title=texts(150))
def test_you_said_we_did(items, title):
    post = MonthPost(
        survey_id=1,
        survey_name="t",
        title=title,
        channel_id="C0TEAM",
        month=date(2026, 11, 1),
        items=tuple(items),
    )
    assert_fits_message(*month_post_message(post))


@PROPERTY
@given(idea=ideas(), initial=texts(IDEA_MAX_CHARS))
def test_ideas(idea, initial):
    assert_fits_message(*idea_card(idea))
    assert_fits_view(idea_modal(initial_text=initial))
    assert_fits_view(decline_modal(idea=idea, channel_id="C0IDEAS"))


@PROPERTY
@given(
    title=texts(150),
    run_questions=st.lists(questions(), min_size=1, max_size=8),
    closed=st.booleans(),
    earlier=st.none() | texts(COMMENT_MAX_CHARS),
    language=st.sampled_from(list(LANGUAGES)),
    survey_language=st.none() | st.sampled_from(list(LANGUAGES)),
)
def test_a_pulse_and_its_comment_form(title, run_questions, closed, earlier, language, survey_language):
    """In every language pulsebot speaks: a DM in the person's, a channel post in the survey's."""
    run = RunView(
        run_id=10**9,
        survey_name="t" * 80,
        title=title,
        channel_id="C0TEAM",
        closes_at=NOW,
        timezone="Europe/Berlin",
        questions=tuple(run_questions),
        audience=10**5,
        closed=closed,
        language=survey_language,
    )
    tr = translator(language)
    assert_fits_message(*pulse_message(run))
    assert_fits_message(*pulse_message(run, tr))
    for question in run_questions:
        assert_fits_view(comment_modal(run_id=run.run_id, question=question, earlier=earlier, tr=tr))


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_librarys_longest_items_fit_in_every_language(language):
    """The real translations: a run of the library's eight longest items, as a DM and in a channel."""
    library = engagement_library()
    items = sorted(
        (item for driver in library.drivers for item in driver.items),
        key=lambda item: -max(len(item.text_in(code)) for code in LANGUAGES),
    )[:MAX_PER_RUN]
    questions = tuple(
        QuestionView(
            id=10**9 + number,
            kind=QuestionKind.scale,
            prompt=item.text,
            options=(),
            required=True,
            not_applicable=True,
            prompts=tuple((code, item.text_in(code)) for code in LANGUAGES),
        )
        for number, item in enumerate(items)
    )
    run = RunView(10**9, "t" * 80, "T" * 150, "C0TEAM", NOW, "Europe/Berlin", questions, 10**5, False)
    tr = translator(language)
    assert_fits_message(*pulse_message(run, tr))
    assert_fits_message(*pulse_message(replace(run, language=language)))
    for question in questions:
        assert_fits_view(comment_modal(run_id=run.run_id, question=question, earlier="x", tr=tr))
        assert question.prompt_in(language) == question.prompts[list(LANGUAGES).index(language)][1]


@PROPERTY
@given(relay=relays())
def test_replies_between_a_manager_and_an_anonymous_author(relay):
    assert_fits_view(
        reply_modal(
            subject=relay.subject,
            target={"conversation": relay.conversation_id},
            manager_user_id=relay.manager_user_id,
        )
    )
    assert_fits_message(*to_author_message(relay))
    assert_fits_message(*to_manager_message(relay))
    assert_fits_message(*closed_message(relay))


@PROPERTY
@given(
    name=st.from_regex(r"[a-z0-9][a-z0-9-]{0,79}", fullmatch=True),
    title=texts(150).map(str.strip).filter(bool),
    managers=many(USER_IDS, 1000).map(lambda ids: sorted(set(ids))),
    prompts=st.lists(texts(300).map(str.strip).filter(bool), min_size=1, max_size=5),
)
def test_the_survey_form_new_and_editing(name, title, managers, prompts):
    spec = survey_from_mapping(
        {
            "name": name,
            "title": title,
            "channel": "C0TEAM",
            "managers": managers,
            "questions": [
                {
                    "key": f"q{number}-" + "k" * 30,
                    "kind": "choice",
                    "prompt": prompt,
                    "options": [f"{n} " + "o" * 70 for n in range(10)],
                }
                for number, prompt in enumerate(prompts)
            ],
        }
    )
    assert_fits_view(survey_form())
    assert_fits_view(survey_form(spec))


@PROPERTY
@given(
    round_=st.builds(
        HelpingRound,
        id=st.integers(1, 10**9),
        action_id=st.integers(1, 10**9),
        action_text=texts(TEXT_MAX_CHARS),
        focus_label=texts(LABEL_CHARS),
        owner_id=USER_IDS,
        for_status=st.sampled_from([ActionStatus.in_progress, ActionStatus.done]),
        open=st.booleans(),
        closes_at=st.just(NOW + timedelta(days=3)),
        channel_id=st.just("C0TEAM"),
        message_ts=st.none(),
        answered=st.none() | st.integers(0, 10**5),
        counts=st.none() | st.fixed_dictionaries({answer: st.integers(0, 10**5) for answer in Helping}),
    ),
)
def test_is_this_helping(round_):
    assert_fits_message(*helping_message(round_, min_group=5))


@PROPERTY
@given(
    message=st.text(st.sampled_from("ab .:"), min_size=1, max_size=5000),
    days=st.integers(1, 3650),
    action=action_lines(),
)
def test_notices_and_texts(message, days, action):
    assert_fits_view(notice_view(message))
    assert_fits_message(*forget_me_question(reply_window_days=days))
    assert_fits_message(reminder_text(_reminder(action)))
    assert_fits_message(status_post(_change(action)))


def _reminder(action: ActionLine):
    from pulsebot.services.loop.action_reminders import DueReminder, ReminderKind

    return DueReminder(
        action_id=action.id,
        kind=ReminderKind.due,
        owner_id=action.owner_id,
        team_title=action.team_title,
        text=action.text,
        focus_label=action.focus_label,
        due_on=action.due_on,
    )


def _change(action: ActionLine):
    from pulsebot.services.loop.actions import ActionChange

    return ActionChange(action=action, previous=ActionStatus.planned, changed_by=action.created_by)


@PROPERTY
@given(
    summaries=many(
        st.builds(
            SurveySummary,
            name=st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True),
            title=texts(150),
            channel_id=st.just("C0TEAM"),
            delivery=st.sampled_from(["channel", "dm"]),
            schedule=st.none() | st.just("0 10 * * tue"),
            timezone=st.just("Europe/Berlin"),
            paused=st.booleans(),
            questions=st.integers(0, 8),
            reminders=st.just(("24h after open", "2h before close")),
        ),
        500,
    ),
    listed=many(ideas(), 200),
)
def test_listings_of_surveys_and_ideas(summaries, listed):
    assert_fits_message(survey_list(summaries))
    assert len(survey_list(summaries)) <= limits.LIST_TEXT
    assert_fits_message(idea_list_text(IdeaList(ideas=tuple(listed), total=len(listed) + 10**6, title="Top")))
