"""Every public builder in slack/blocks/ has a property case that builds it with extreme but legal data and
finds it inside Slack's limits (tests/slack_limits.py): the cases here (digests, drop alerts, sharing and
the texts pulsebot answers with) and those in test_slack_limits.py. A builder added without a case fails
`test_every_builder_has_a_property_case`.

A digest's figures are made as the services make them: the answer counts pass the rule for
distributions (services/privacy/distributions.py `shown_counts`), the quoted comments are chosen by
`representative_comments`, and every change is as `digest_text.as_shown` words it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import re
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import pulsebot.slack.blocks as blocks_package
from pulsebot.i18n import LANGUAGES, translator
from pulsebot.services.digest.digests import COMMENT_CHARS, Digest, DropAlert, IdeaLine, TeamLine
from pulsebot.services.digest.digests import representative_comments as quoted_by_the_service
from pulsebot.services.idea.idea_status import StatusChange
from pulsebot.services.loop.actions import TEXT_MAX_CHARS
from pulsebot.services.loop.focus import LABEL_CHARS
from pulsebot.services.loop.helping import Helping, HelpingReceipt
from pulsebot.services.loop.progress import ActionProgress, FocusTrend
from pulsebot.services.loop.sharing import Highlight, TeamSummary, WillDo
from pulsebot.services.onboarding.onboarding import OnboardingReceipt
from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.services.privacy.forgetting import Forgotten
from pulsebot.services.pulse.answers import AnswerReceipt
from pulsebot.services.pulse.pulses import RunView
from pulsebot.services.pulse.reminders import DueReminder
from pulsebot.services.results.analytics import ORG, QuestionWeek, WeekFigures, WeekStatus
from pulsebot.services.results.drivers import DriverScore, TeamDrivers
from pulsebot.services.results.heatmap import EnpsDrivers, EnpsLink
from pulsebot.services.results.themes import Theme
from pulsebot.services.results.week_totals import Withheld
from pulsebot.services.survey.surveys import SurveySummary
from pulsebot.slack.blocks.digest import digest_message, drop_alert_message
from pulsebot.slack.blocks.forgetting import forgotten_text
from pulsebot.slack.blocks.helping import helping_thanks
from pulsebot.slack.blocks.idea_status import author_notice, shipped_note
from pulsebot.slack.blocks.onboarding import exit_message, exit_thanks, onboarding_message, onboarding_thanks
from pulsebot.slack.blocks.pulses import reminder_message, sending_phrase, thanks_for
from pulsebot.slack.blocks.replies import sent_view
from pulsebot.slack.blocks.sharing import not_posted_note, share_modal, shared_note, summary_message
from pulsebot.slack.blocks.snooze import paused_text, resumed_text, status_text
from pulsebot.slack.blocks.surveys import saved_notice
from pulsebot.store.models import ActionStatus, DeliveryMode, FocusKind, IdeaStatus, QuestionKind
from tests.slack.test_slack_limits import (
    NOW,
    PROPERTY,
    USER_IDS,
    assert_fits_message,
    assert_fits_view,
    ideas,
    many,
    texts,
)

WEEK = date(2026, 11, 23)
NAMES = st.from_regex(r"[a-z0-9][a-z0-9-]{0,79}", fullmatch=True)

# Public functions of slack/blocks/ that are not a message or a view on their own: each is a part of a
# builder with a case (and checked there), or reads back what pulsebot sent. Anything else is a builder.
PARTS_AND_READERS = {
    "rendered": "renders blocks for the builders",
    "more": "the 'and N more' line of the builders that list",
    "listed": "a section's list, in every builder that lists",
    "plan_button": "part of digest_message and home_view",
    "plan_buttons": "part of digest_message",
    "action_modal_target": "reads a submitted view",
    "drop_target": "reads a submitted view",
    "due_day": "a date in channel_post and reminder_text",
    "status_menu": "part of home_view and idea_card",
    "home_action_blocks": "part of home_view",
    "audit_blocks": "part of home_view",
    "action_lines": "part of digest_message",
    "home_team_blocks": "part of home_view",
    "idea_line": "part of idea_list_text",
    "decline_target": "reads a submitted view",
    "votes": "a count in idea_card, author_notice and shipped_note",
    "reason_line": "part of idea_card and author_notice",
    "local_time": "a time in pulse_message and reminder_message",
    "answer_thanks": "the text of thanks_for",
    "reply_button": "part of digest_message, idea_card and the relayed DMs",
    "reply_target": "reads a submitted view",
    "share_buttons": "part of digest_message",
    "share_value": "the value of the share buttons and share_modal's metadata",
    "share_target": "reads a button or a submitted view",
    "comments_ticked": "reads a submitted view",
    "summary_text": "the text of summary_message",
    "summary_blocks": "the blocks of summary_message and share_modal",
    "action_line": "part of summary_message",
    "next_open_phrase": "part of survey_list and saved_notice",
    "item_line": "part of month_post_message and home_view",
    "home_snooze_block": "part of home_view",
}


def public_functions() -> dict[str, str]:
    """Every public function defined in slack/blocks/, by name, with its module."""
    found = {}
    modules = [blocks_package] + [
        importlib.import_module(f"{blocks_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(blocks_package.__path__)
    ]
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found[name] = module.__name__
    return found


def test_every_builder_has_a_property_case():
    here = Path(__file__)
    cases = here.read_text() + here.with_name("test_slack_limits.py").read_text()
    called_in_a_case = set(re.findall(r"(\w+)\(", cases))
    functions = public_functions()
    builders = sorted(set(functions) - set(PARTS_AND_READERS))

    assert [name for name in builders if name not in called_in_a_case] == []
    assert sorted(set(PARTS_AND_READERS) - set(functions)) == []  # no excuse outlives its function
    assert len(builders) >= 30


@st.composite
def question_weeks(draw) -> QuestionWeek:
    kind = draw(st.sampled_from([QuestionKind.scale, QuestionKind.yes_no, QuestionKind.enps]))
    size = {QuestionKind.scale: 5, QuestionKind.yes_no: 2, QuestionKind.enps: 11}[kind]
    counts = shown_counts(draw(st.lists(st.integers(0, 10**5), min_size=size, max_size=size)))
    prompt = draw(texts(300))
    if counts is None or sum(counts) == 0:  # withheld by the rule for distributions: only how many
        return QuestionWeek(1, "q", 1, prompt, kind, WeekStatus.shown, answers=7, too_alike=True)
    answers = sum(counts)
    values = range(1, 6) if kind is QuestionKind.scale else range(size)
    mean = sum(value * count for value, count in zip(values, counts, strict=True)) / answers
    enps = None
    if kind is QuestionKind.enps:
        enps = 100 * (sum(counts[9:]) - sum(counts[:7])) / answers
    return QuestionWeek(1, "q", 1, prompt, kind, WeekStatus.shown, answers, mean, counts, enps)


NO_QUESTIONS = st.just(())


def week_figures(questions=NO_QUESTIONS) -> st.SearchStrategy[WeekFigures]:
    change = st.none() | st.floats(-4, 4)
    return st.one_of(
        st.builds(
            WeekFigures,
            week=st.just(WEEK),
            status=st.just(WeekStatus.shown),
            respondents=st.integers(5, 10**5),
            audience=st.integers(10**5, 10**6),
            response_rate=st.floats(0, 1),
            score=st.floats(1, 5),
            enps=st.floats(-100, 100),
            comments=st.integers(0, 10**5),
            sentiment=st.floats(-1, 1),
            negative_share=st.floats(0, 1),
            positive_share=st.floats(0, 1),
            questions=questions,
            compared_with=st.just(WEEK - timedelta(weeks=1)),
            score_change=change,
            enps_change=st.none() | st.floats(-200, 200),
            sentiment_change=change,
            response_rate_change=st.none() | st.floats(-1, 1),
        ),
        st.builds(
            WeekFigures,
            week=st.just(WEEK),
            status=st.just(WeekStatus.suppressed),
            withheld=st.sampled_from(Withheld),
        ),
    )


def action_progress() -> st.SearchStrategy[ActionProgress]:
    return st.builds(
        ActionProgress,
        id=st.integers(1, 10**9),
        text=texts(TEXT_MAX_CHARS),
        focus_kind=st.sampled_from(FocusKind),
        focus_label=texts(LABEL_CHARS),
        owner_id=USER_IDS,
        status=st.sampled_from(ActionStatus),
        due_on=st.just(WEEK),
        started_on=st.just(WEEK - timedelta(weeks=8)),
        visible=st.booleans(),
        trend=st.none()
        | st.builds(
            FocusTrend,
            before=st.floats(0, 5),
            now=st.floats(0, 5),
            weeks=st.integers(1, 52),
            unit=st.sampled_from(["score", "enps", "share"]),
            before_detail=texts(40),
            now_detail=texts(40),
        ),
        no_trend=texts(200),
    )


def team_drivers() -> st.SearchStrategy[TeamDrivers]:
    driver = st.builds(
        DriverScore,
        driver=texts(40),
        name=texts(60),
        answers=st.integers(0, 10**5),
        total=st.integers(0, 5 * 10**5),
        change=st.none() | st.floats(-4, 4),
    ).filter(lambda d: d.answers == 0 or d.answers <= d.total <= 5 * d.answers)
    return st.builds(
        TeamDrivers,
        scope=NAMES,
        title=texts(150),
        window_runs=st.integers(1, 50),
        runs=st.integers(0, 50),
        drivers=many(driver, 40).map(tuple),
        first_run=st.none() | st.just(WEEK - timedelta(weeks=12)),
        last_run=st.just(WEEK),
    )


def idea_lines() -> st.SearchStrategy[IdeaLine]:
    return st.builds(
        IdeaLine,
        id=st.integers(1, 10**9),
        text=texts(150),
        votes=st.integers(0, 10**6),
        status=st.sampled_from([IdeaStatus.new, IdeaStatus.under_review, IdeaStatus.planned]),
        days_waiting=st.integers(0, 10**4),
    )


THEMES = st.builds(Theme, phrase=texts(120), comments=st.integers(2, 10**5))


@PROPERTY
@given(
    team=st.booleans(),
    title=texts(150),
    figures=week_figures(questions=many(question_weeks(), 40).map(tuple)),
    themes=many(THEMES, 60),
    comments=st.lists(
        st.tuples(texts(COMMENT_CHARS), st.none() | st.floats(-1, 1), st.just("r" * 43)), max_size=40
    ),
    with_refs=st.booleans(),
    teams=many(st.builds(TeamLine, scope=NAMES, title=texts(150), figures=week_figures()), 500),
    actions=many(action_progress(), 200),
    drivers=st.none() | team_drivers(),
    links=st.none()
    | st.builds(
        EnpsDrivers,
        team_windows=st.integers(0, 10**4),
        links=many(
            st.builds(
                EnpsLink,
                driver=texts(40),
                name=texts(60),
                correlation=st.floats(-1, 1),
                team_windows=st.integers(1, 10**4),
            ),
            40,
        ).map(tuple),
    ),
    top=many(idea_lines(), 20),
    waiting=many(idea_lines(), 20),
)
def test_a_weekly_digest_of_a_team_or_the_organisation(
    team, title, figures, themes, comments, with_refs, teams, actions, drivers, links, top, waiting
):
    quoted = quoted_by_the_service(comments, tuple(themes), rng=random.Random(0)) if figures.shown else ()
    digest = Digest(
        scope="team-pulse" if team else ORG,
        title=title,
        week=WEEK,
        min_group=5,
        figures=figures,
        trend=(figures,),
        summary="",
        themes=tuple(themes),
        comments=tuple(text for text, _ in quoted),
        comment_refs=tuple(ref for _, ref in quoted) if with_refs else (),
        top_ideas=tuple(top),
        waiting_ideas=tuple(waiting),
        waiting_total=len(waiting) + 10**6,
        teams=() if team else tuple(teams),
        drivers=drivers,
        enps_links=None if team else links,
        actions=tuple(actions) if team else (),
    )
    for language in LANGUAGES:  # in its reader's language: its headings and its figures' words
        assert_fits_message(*digest_message(digest, translator(language)))


@PROPERTY
@given(
    alert=st.builds(
        DropAlert,
        scope=NAMES,
        title=texts(150),
        week=st.just(WEEK),
        compared_with=st.just(WEEK - timedelta(weeks=1)),
        score=st.floats(1, 5),
        score_change=st.none() | st.floats(-4, 0),
        sentiment=st.floats(-1, 1),
        sentiment_change=st.none() | st.floats(-2, 0),
        managers=many(USER_IDS, 1000).map(tuple),
    )
)
def test_a_drop_alert(alert):
    for language in LANGUAGES:  # in its manager's language
        assert_fits_message(*drop_alert_message(alert, translator(language)))


def highlights(question: bool) -> st.SearchStrategy[Highlight]:
    return st.builds(
        Highlight,
        label=texts(300),
        score=st.floats(1, 5),
        change=st.none() | st.floats(-4, 4),
        question=st.just(question),
    )


@PROPERTY
@given(
    summary=st.builds(
        TeamSummary,
        survey_name=NAMES,
        title=texts(150),
        channel_id=st.just("C0TEAM"),
        week=st.just(WEEK),
        figures=week_figures().filter(lambda figures: figures.shown),
        min_group=st.integers(3, 50),
        highlights_of=st.sampled_from(["drivers", "questions"]),
        strongest=st.none() | highlights(False),
        weakest=st.none() | highlights(True),
        themes=many(THEMES, 60).map(tuple),
        comments=many(texts(COMMENT_CHARS), 40).map(tuple),
        actions=many(
            st.builds(
                WillDo,
                text=texts(TEXT_MAX_CHARS),
                owner_id=USER_IDS,
                due_on=st.just(WEEK),
                status=st.sampled_from([ActionStatus.planned, ActionStatus.in_progress]),
            ),
            300,
        ).map(tuple),
        driver_window=texts(80),
    ),
    with_comments=st.booleans(),
    shared_by=st.none() | USER_IDS,
)
def test_sharing_the_results_with_the_team(summary, with_comments, shared_by):
    assert_fits_view(share_modal(summary))
    assert_fits_message(*summary_message(summary, with_comments=with_comments, shared_by=shared_by))
    assert_fits_message(shared_note(summary, with_comments=with_comments))
    assert_fits_message(not_posted_note(summary.channel_id, "x" * 200))


@PROPERTY
@given(
    idea=ideas(),
    previous=st.sampled_from(IdeaStatus),
    changed_by=USER_IDS,
    receipt=st.builds(
        AnswerReceipt,
        replaced=st.booleans(),
        question_prompt=texts(300),
        value_label=texts(75),
        closes_at=st.just(NOW),
        timezone=st.just("Pacific/Kiritimati"),
        removed=st.booleans(),
    ),
    title=texts(150),
    delivery=st.sampled_from(DeliveryMode),
    audience=st.integers(0, 10**6),
    count=st.integers(0, 10**6),
    summary=st.builds(
        SurveySummary,
        name=NAMES,
        title=texts(150),
        channel_id=st.just("C0TEAM"),
        delivery=st.sampled_from(["channel", "dm"]),
        schedule=st.none() | st.just("0 10 * * tue"),
        timezone=st.just("America/St_Johns"),
        paused=st.booleans(),
        questions=st.integers(0, 8),
        per_person_local_time=st.booleans(),
        next_open=st.none() | st.just(NOW),
    ),
    outcome=st.sampled_from(["created", "updated", "unchanged"]),
    helping=st.sampled_from(Helping),
    paused=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
)
def test_the_texts_pulsebot_answers_with(
    idea, previous, changed_by, receipt, title, delivery, audience, count, summary, outcome, helping, paused
):
    for language in LANGUAGES:  # `/pulse snooze` answers its person in their language
        tr = translator(language)
        assert_fits_message(paused_text(paused, tr))
        assert_fits_message(status_text(paused, tr))
        assert_fits_message(status_text(None, tr))
        assert_fits_message(resumed_text(idea.votes % 2 == 0, tr))
    for language in LANGUAGES:  # an idea's author hears of its status in their language
        change = StatusChange(idea=idea, previous=previous, changed_by=changed_by)
        assert_fits_message(author_notice(change, translator(language)))
    assert_fits_message(shipped_note(idea))
    run = RunView(1, "t", title, "C0TEAM", NOW, "UTC", (), audience, False, delivery)
    assert_fits_message(sending_phrase(run, rate=1.0))
    reminder = DueReminder(
        1, 1, "U0ALICE", title, delivery, "C0TEAM", NOW, "Asia/Kolkata", 3, False, 1, False
    )
    for language in LANGUAGES:  # a person's thanks and reminder are in their language
        assert_fits_message(thanks_for(receipt, translator(language)))
        assert_fits_message(reminder_message(reminder, translator(language)))
    assert_fits_message(saved_notice(summary, outcome=outcome))
    assert_fits_message(
        helping_thanks(HelpingReceipt(replaced=idea.votes % 2 == 0, answer=helping, closes_at=NOW))
    )
    assert_fits_message(forgotten_text(Forgotten(count, count, (1,) * min(count, 1000), count, count, count)))
    assert_fits_view(sent_view(to_author=idea.votes % 2 == 0))


@PROPERTY
@given(
    owner=st.integers(1, 2**31 - 1),
    milestone=st.sampled_from((30, 60, 90)),
    closes_on=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    replaced=st.booleans(),
    answer=texts(200),
)
def test_the_onboarding_pulses_and_the_exit_survey(owner, milestone, closes_on, replaced, answer):
    assert_fits_message(*onboarding_message(pulse_id=owner, milestone=milestone, closes_on=closes_on))
    assert_fits_message(onboarding_thanks(OnboardingReceipt(replaced=replaced, closes_on=closes_on)))
    assert_fits_message(*exit_message(exit_id=owner))
    assert_fits_message(exit_thanks(answer))


def test_a_long_list_in_a_digest_ends_with_how_many_more_and_never_cuts_an_item():
    shown = WeekFigures(week=WEEK, status=WeekStatus.shown, respondents=6, audience=8, response_rate=0.75)
    teams = tuple(TeamLine(scope=f"t{n}", title=f"Team {n} " + "&" * 100, figures=shown) for n in range(300))
    org = Digest(ORG, "Everyone", WEEK, 5, shown, (shown,), "", teams=teams)
    actions = tuple(
        ActionProgress(
            n,
            "Triage <the> backlog",
            FocusKind.driver,
            "Workload",
            "U0OWNER",
            ActionStatus.planned,
            WEEK,
            WEEK,
            True,
            no_trend="too few weeks",
        )
        for n in range(200)
    )
    team = Digest("team-pulse", "Team", WEEK, 5, shown, (shown,), "", actions=actions)

    def section(digest: Digest, title: str) -> list[str]:
        _, blocks = digest_message(digest)
        return next(
            b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith(title)
        ).split("\n")

    team_lines = section(org, "*Teams*")
    action_lines = section(team, "*Actions*")

    listed_teams = [line for line in team_lines if line.startswith("• Team ")]
    assert team_lines[-1] == f"_…and {300 - len(listed_teams)} more teams._"
    assert all(line.endswith("(75%)") for line in listed_teams)  # each team whole
    headlines = [line for line in action_lines if line.startswith("• ")]
    assert action_lines[-1] == f"_…and {200 - len(headlines)} more actions._"
    assert action_lines[-2] == "   No trend yet: too few weeks."  # the last action shown has its trend line
    assert all(line.endswith("owner <@U0OWNER>") for line in headlines)
