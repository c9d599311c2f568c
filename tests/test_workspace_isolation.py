"""One deployment, two workspaces: each sees only its own surveys, pulses, ideas, votes and digests,
and pulsebot speaks to each with that workspace's own bot token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.pulse.pulses import mark_run_posted
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.digest import send_digests
from pulsebot.slack.installations import InstalledWorkspaces, installed_workspaces
from pulsebot.store.db import session_factory, transaction
from pulsebot.store.models import Delivery, Idea, PulseRun, Survey, Vote
from pulsebot.store.scoping import scoped_sessions
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, TEAM
from tests.installing import ACME, GLOBEX, TOKENS, install_each, oauth_settings, serve
from tests.pulse_data import alike, make_team, people, run_week, scores
from tests.reply_steps import refused_click
from tests.slack_requests import SlackRequests

INSTALLERS = {ACME: "U0ACMEBOSS", GLOBEX: "U0GLOBEXBOSS"}
GLOBEX_CHANNEL = "G0GLOBEX"


@pytest.fixture
def workspaces(fake_slack, engine) -> InstalledWorkspaces:
    fake_slack.add_channel(GLOBEX_CHANNEL, [*people(5, "GLX"), "UBOT"])
    settings = oauth_settings(engine, fake_slack)
    with serve(settings, session_factory(engine), engine) as server:
        install_each(server, fake_slack, TOKENS, installers=INSTALLERS)
    return installed_workspaces(settings, engine)


@pytest.fixture
def served(fake_slack, sessions, engine, workspaces) -> Iterator[tuple[SlackRequests, SlackRequests]]:
    settings = oauth_settings(engine, fake_slack, admins=frozenset({ADMIN}), managers=frozenset({MANAGER}))
    with serve(settings, sessions, engine) as server:
        yield server.requests_from(ACME, fake_slack), server.requests_from(GLOBEX, fake_slack)


def posts(fake_slack, method: str = "chat.postMessage") -> list[tuple[str, str | None]]:
    return [(call.args.get("channel"), call.token) for call in fake_slack.calls if call.method == method]


def test_each_workspace_sees_only_its_own_ideas_and_votes(served, fake_slack, sessions):
    acme, globex = served
    assert acme.command("/idea", "Acme: call customers back within a day", user=TEAM[0]).status == 200
    assert globex.command("/idea", "Globex: a status page for outages", user=TEAM[1]).status == 200
    fake_slack.wait_for("chat.postMessage", 2)
    with transaction(sessions) as session:
        ideas = {idea.team_id: idea.id for idea in session.exec(select(Idea)).all()}
    assert set(ideas) == {ACME, GLOBEX}
    assert sorted(token for _, token in posts(fake_slack)) == ["xoxb-acme", "xoxb-globex"]

    acme_list = acme.command("/idea", "list", user=TEAM[2]).text
    assert "call customers back" in acme_list and "status page" not in acme_list
    globex_list = globex.command("/idea", "list", user=TEAM[2]).text
    assert "status page" in globex_list and "call customers back" not in globex_list

    # A vote on another workspace's idea (a forged button value) counts nowhere.
    acme.click(action_id="idea_vote", value=str(ideas[GLOBEX]), user=TEAM[3])
    with transaction(sessions) as session:
        assert session.exec(select(Vote)).all() == []
    # Nor answer its author anonymously.
    refusal = refused_click(acme, fake_slack, action_id="reply_idea", value=str(ideas[GLOBEX]), user=MANAGER)
    assert refusal == f"There is no idea #{ideas[GLOBEX]}."
    # Nor can a manager of one workspace move the other's idea.
    reply = acme.command("/idea", f"status {ideas[GLOBEX]} done", user=MANAGER)
    assert "status page" not in reply.text
    with transaction(sessions) as session:
        assert session.get(Idea, ideas[GLOBEX]).status == "new"


def test_same_survey_name_in_two_workspaces_stays_apart(served, fake_slack, sessions, workspaces):
    acme, globex = served
    now = datetime.now(UTC)
    make_team(scoped_sessions(sessions, ACME), title="Acme pulse", now=now)
    make_team(scoped_sessions(sessions, GLOBEX), title="Globex pulse", channel=GLOBEX_CHANNEL, now=now)

    acme_list = acme.command("/pulse", "list", user=ADMIN).text
    assert "Acme pulse" in acme_list and "Globex pulse" not in acme_list

    assert globex.command("/pulse", "send team-pulse", user=ADMIN).status == 200
    fake_slack.wait_for("chat.postMessage")
    assert posts(fake_slack) == [(GLOBEX_CHANNEL, "xoxb-globex")]
    with transaction(sessions) as session:
        runs = session.exec(select(PulseRun)).all()
        assert [(run.team_id, session.get(Survey, run.survey_id).title) for run in runs] == [
            (GLOBEX, "Globex pulse")
        ]
        assert {d.team_id for d in session.exec(select(Delivery)).all()} == {GLOBEX}


def test_the_scheduler_reaches_each_workspace_with_its_own_token(sessions, fake_slack, workspaces, settings):
    opened = datetime.now(UTC) - timedelta(days=4)
    make_team(scoped_sessions(sessions, ACME), now=opened)
    make_team(scoped_sessions(sessions, GLOBEX), channel=GLOBEX_CHANNEL, now=opened)
    for team, channel in ((ACME, PULSE_CHANNEL), (GLOBEX, GLOBEX_CHANNEL)):
        team_sessions = scoped_sessions(sessions, team)
        run_id = run_week(team_sessions, survey="team-pulse", opened=opened, audience=TEAM, close=False)
        with transaction(team_sessions) as session:
            mark_run_posted(session, run_id=run_id, channel_id=channel, message_ts=f"1.{team}")
    scheduling.install(scheduling.Runtime(sessions=sessions, workspaces=workspaces, settings=settings))
    try:
        scheduling.close_due_runs()
    finally:
        scheduling.install(None)
    with transaction(sessions) as session:
        assert {run.team_id: run.status for run in session.exec(select(PulseRun)).all()} == {
            ACME: "closed",
            GLOBEX: "closed",
        }
    assert sorted(posts(fake_slack, "chat.update")) == [
        (GLOBEX_CHANNEL, "xoxb-globex"),
        (PULSE_CHANNEL, "xoxb-acme"),
    ]


def test_a_digest_holds_only_its_own_workspace_s_answers(sessions, fake_slack, workspaces, settings):
    last_week = datetime.now(UTC) - timedelta(days=7)
    members = people(5)
    for team, score in ((ACME, 4), (GLOBEX, 2)):
        team_sessions = scoped_sessions(sessions, team)
        make_team(team_sessions, managers=(MANAGER,), now=last_week - timedelta(days=30))
        run_week(
            team_sessions,
            survey="team-pulse",
            opened=last_week,
            audience=members,
            answers=scores(members, alike(score, 5)),
        )

    for team in (ACME, GLOBEX):
        send_digests(
            workspaces.client_for(team),
            scoped_sessions(sessions, team),
            settings,
            now=datetime.now(UTC),
            survey_name="team-pulse",
        )

    digests = [call for call in fake_slack.calls if call.method == "chat.postMessage"]
    assert [call.token for call in digests] == ["xoxb-acme", "xoxb-globex"]
    acme_text, globex_text = (str(call.args.get("blocks")) for call in digests)
    assert "4.0" in acme_text and "2.0" not in acme_text
    assert "2.0" in globex_text and "4.0" not in globex_text


def test_installing_pulsebot_makes_no_one_an_admin_in_either_workspace(served):
    acme, globex = served
    refused = "Only pulsebot admins can list the surveys. Ask one of them (PULSEBOT_ADMINS)."
    for requests in (acme, globex):
        for installer in INSTALLERS.values():
            assert requests.command("/pulse", "list", user=installer).text == refused
        assert requests.command("/pulse", "list", user=ADMIN).text.startswith("No surveys yet")


SCHEDULED = """\
surveys:
  - name: team-pulse
    title: {title}
    channel: {channel}
    schedule: "0 10 * * tue"
    questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def test_each_workspace_s_schedule_opens_its_own_runs(engine, sessions, settings, fake_slack, workspaces):
    for team, channel in ((ACME, PULSE_CHANNEL), (GLOBEX, GLOBEX_CHANNEL)):
        with transaction(scoped_sessions(sessions, team)) as session:
            for spec in parse_surveys(
                SCHEDULED.format(title=f"{team} pulse", channel=channel), source="s.yml"
            ):
                apply_survey(session, spec=spec, now=datetime.now(UTC))
    scheduler = scheduling.create_scheduler()
    scheduling.install(
        scheduling.Runtime(sessions=sessions, workspaces=workspaces, scheduler=scheduler, settings=settings)
    )
    scheduler.start(paused=True)
    try:
        scheduling.register_jobs(scheduler, sessions, workspaces=workspaces)
        jobs = {job.id: job.args for job in scheduler.get_jobs() if job.id.startswith("pulse-open:")}
        assert jobs == {
            f"pulse-open:{ACME}/team-pulse": ("team-pulse", ACME),
            f"pulse-open:{GLOBEX}/team-pulse": ("team-pulse", GLOBEX),
        }
        scheduling.open_scheduled_run(*jobs[f"pulse-open:{GLOBEX}/team-pulse"])
    finally:
        scheduler.shutdown(wait=False)
        scheduling.install(None)

    assert posts(fake_slack) == [(GLOBEX_CHANNEL, "xoxb-globex")]
    with transaction(sessions) as session:
        assert [run.team_id for run in session.exec(select(PulseRun)).all()] == [GLOBEX]
