"""`pulsebot onboarding`: the released figures of new joiners' cohorts; `pulsebot exit …`: send someone
leaving their exit survey, and read the answers (confidential to HR, not anonymous)."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError

from pulsebot.cli.common import (
    Team,
    existing,
    fail,
    migrated,
    out,
    reach_workspace,
    settings_or_fail,
    team_sessions,
    wrapping_table,
)
from pulsebot.clock import utc_now
from pulsebot.services.onboarding.cohort_figures import released_cohorts
from pulsebot.services.onboarding.exits import exit_report
from pulsebot.services.onboarding.onboarding import MILESTONES
from pulsebot.services.onboarding.questions import exit_questions, onboarding_questions
from pulsebot.services.privacy import audit
from pulsebot.store.db import session_factory, transaction
from pulsebot.store.models import AuditAction
from pulsebot.store.scoping import scoped_sessions

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,19}")
HIDDEN = "—"

group = typer.Typer(
    help="Exit surveys: confidential to HR, not anonymous (admins only).", no_args_is_help=True
)


def onboarding(team: Team = "") -> None:
    """Print each released cohort of new joiners (the quarter they started in): at day 30, 60 and 90,
    how many answered and each question's mean (1–5). A cohort is released once its last day-90 pulse is
    over; what fewer than the minimum group gave is shown as —."""
    settings = settings_or_fail()
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, team)) as session:
        cohorts = released_cohorts(session, min_group=settings.min_group)
        audit.record(
            session,
            actor=audit.CLI,
            action=AuditAction.report,
            scope=audit.ORG_SCOPE,
            now=utc_now(),
            detail="onboarding",
        )
    if not cohorts:
        out.print(
            "No cohort of new joiners is released yet: a quarter's figures come once its last day-90 "
            "pulse is over (about 100 days after the quarter ends).",
            highlight=False,
            soft_wrap=True,
        )
        return
    questions = onboarding_questions()
    table = wrapping_table("Cohort", "Day", "Answered", *(question.prompt for question in questions))
    for cohort in cohorts:
        for figures in cohort.milestones:
            if figures.respondents is None:
                row = [f"fewer than {cohort.min_group}", *(HIDDEN for _ in questions)]
            else:
                means = (figures.means[question.key] for question in questions)
                row = [
                    str(figures.respondents),
                    *(HIDDEN if mean is None else f"{mean:.1f}" for mean in means),
                ]
            table.add_row(cohort.cohort, str(figures.milestone), *row)
    out.print(table)
    out.print(
        f"Days {', '.join(map(str, MILESTONES))} after the start date; answers pooled by the quarter people "
        "started in, released once. 1 = strongly disagree, 5 = strongly agree.",
        highlight=False,
        soft_wrap=True,
    )


@group.command("send")
def send(
    user_id: Annotated[str, typer.Argument(metavar="USER_ID", help="The person's Slack user id (U… or W…).")],
    team: Team = "",
) -> None:
    """DM someone on their last day the exit survey. The message says it is confidential to HR and not
    anonymous: their answers are kept with their name, for admins only."""
    from pulsebot.slack.onboarding import send_exit_survey

    if not SLACK_USER_ID.fullmatch(user_id):
        fail(f"USER_ID: “{user_id}” is not a Slack user id; they look like U0123ABCD or W0123ABCD", code=2)
    settings = settings_or_fail()
    engine = migrated(settings)
    team_id, workspaces = reach_workspace(settings, engine, team)
    sessions = scoped_sessions(session_factory(engine), team_id)
    try:
        send_exit_survey(workspaces.client_for(team_id), sessions, user_id=user_id, now=utc_now())
    except SlackApiError as error:
        fail(f"Slack refused the exit survey for {user_id}: {error.response.get('error')}; nothing was kept")
    out.print(f"sent the exit survey to {user_id} (confidential to HR, not anonymous)", highlight=False)


@group.command("report")
def report(team: Team = "") -> None:
    """Print every exit survey kept, with the person's id and their answers (kept for
    PULSEBOT_RETENTION_DAYS, or until the person is forgotten)."""
    settings = settings_or_fail()
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, team)) as session:
        surveys = exit_report(session)
        audit.record(
            session,
            actor=audit.CLI,
            action=AuditAction.report,
            scope=audit.ORG_SCOPE,
            now=utc_now(),
            detail="exit surveys",
        )
    if not surveys:
        out.print("No exit survey is kept.", highlight=False)
        return
    questions = exit_questions()
    table = wrapping_table("Person", "Sent", *(question.prompt for question in questions))
    for survey in surveys:
        answers = (survey.answers.get(question.key, "") for question in questions)
        table.add_row(survey.user_id, f"{survey.sent_at:%Y-%m-%d}", *answers)
    out.print(table)
    out.print("Confidential to HR, not anonymous: never share these outside HR.", highlight=False)
