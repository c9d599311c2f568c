"""`pulsebot people …`: people's attributes for segments, imported from an HR export or read from Slack
profile fields, and what is stored (docs/people.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import IntegrityError

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
from pulsebot.config import Settings
from pulsebot.services.people.attributes import SLACK_USER_ID
from pulsebot.services.people.overview import overview
from pulsebot.services.people.people import import_people, imported_ids, stored_person, sync_profiles
from pulsebot.services.people.people_file import PeopleFileError, read_people_file, resolve
from pulsebot.services.survey.leave import LeaveFileError, import_leave, read_leave_file
from pulsebot.store.db import session_factory, transaction
from pulsebot.store.scoping import scoped_sessions

group = typer.Typer(
    help="People's attributes for segments: import them from HR, read them from Slack profiles.",
    no_args_is_help=True,
)

SOURCES = {"csv": "from the CSV import", "profile": "from Slack profiles"}
SAY_HOW_LONG_PAST = 10  # Slack calls: past this many, say how long they will take at Slack's pace


@group.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A CSV file: user_id or email, then attributes.")
    ],
    team: Team = "",
) -> None:
    """Import people's attributes from a CSV or HR export. The file is the whole export: people it no
    longer lists lose what an earlier import stored. A file with any problem changes nothing."""
    try:
        people_file = read_people_file(file)
    except PeopleFileError as error:
        fail(str(error))
    settings = settings_or_fail()
    engine = migrated(settings)
    sessions = team_sessions(settings, engine, team)
    emails = people_file.emails_to_look_up()
    found = _look_up(settings, engine, team, emails, source=people_file.source) if emails else {}
    try:
        people = resolve(people_file, found=found)
    except PeopleFileError as error:
        fail(str(error))
    try:
        with transaction(sessions) as session:
            changes = import_people(session, people=people, now=utc_now())
    except IntegrityError:
        fail(
            f"{people_file.source}: someone's attributes were stored meanwhile; "
            "nothing was imported, run it again"
        )
    out.print(f"{people_file.source}: {changes.describe()}", highlight=False)


def _look_up(settings: Settings, engine, team: str, emails: list[str], *, source: str) -> dict[str, str]:
    from slack_sdk.errors import SlackApiError

    from pulsebot.slack.limits import TIER_3_PER_MINUTE
    from pulsebot.slack.people import LOOKUPS_UP_TO, user_ids_by_email

    if not settings.oauth and settings.slack_bot_token is None:
        fail(f"{source} names people by email, which Slack turns into user ids: set SLACK_BOT_TOKEN", code=2)
    team_id, workspaces = reach_workspace(settings, engine, team)
    if SAY_HOW_LONG_PAST < len(emails) <= LOOKUPS_UP_TO:
        seconds = round(len(emails) * 60 / TIER_3_PER_MINUTE)
        out.print(f"looking up {len(emails)} emails in Slack, about {seconds} seconds at Slack's pace")
    try:
        return user_ids_by_email(workspaces.client_for(team_id), emails)
    except SlackApiError as error:
        _slack_refused(error)
    except OSError as error:
        fail(f"Slack could not be reached ({error}); nothing was imported")


def _slack_refused(error) -> NoReturn:
    method = str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1]
    reason = error.response.get("error")
    if reason == "missing_scope":
        needed = error.response.get("needed")
        reason += (
            f" (add the {needed} scope to the app" if needed else " (add manifest.yml's scopes to the app"
        )
        reason += ", then reinstall it)"
    fail(f"Slack refused {method}: {reason}; nothing was changed")


@group.command("leave")
def leave(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV file: user_id,from,to (YYYY-MM-DD).")],
    team: Team = "",
) -> None:
    """Import who is on leave and when: nobody is sent a pulse or a reminder on a day of their leave, nor
    asked by a run opening then. The file is the whole list; a file with any problem changes nothing."""
    try:
        periods = read_leave_file(file)
    except LeaveFileError as error:
        fail(str(error))
    settings = settings_or_fail()
    sessions = team_sessions(settings, migrated(settings), team)
    with transaction(sessions) as session:
        stored = import_leave(session, periods=periods)
    out.print(f"{file.name}: {stored} period{'s' if stored != 1 else ''} of leave stored", highlight=False)


@group.command("show")
def show(
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="USER_ID", help="One person's stored attributes (U… or W…)."),
    ] = None,
    team: Team = "",
) -> None:
    """How many people have each attribute, its values with their counts, tenure bands and the depth of
    the reporting lines; with --user, one person's stored attributes."""
    if user is not None and not SLACK_USER_ID.fullmatch(user):
        fail(f"--user: “{user}” is not a Slack user id; they look like U0123ABCD or W0123ABCD", code=2)
    settings = settings_or_fail()
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, team)) as session:
        if user is not None:
            _show_person(stored_person(session, user_id=user), user)
            return
        found = overview(session, today=utc_now().date())
    if not found.people:
        out.print(
            "no attributes stored: `pulsebot people import FILE.csv`, or set PULSEBOT_PROFILE_FIELDS "
            "and `pulsebot people sync`",
            highlight=False,
        )
        return
    sources = ", ".join(f"{count} {SOURCES.get(source, source)}" for source, count in found.by_source.items())
    out.print(f"{found.people} people: {sources}", highlight=False)
    table = wrapping_table("attribute", "recorded for", "values (people)")
    for name, values in found.values.items():
        table.add_row(name, str(found.recorded[name]), _counts(values))
    table.add_row("start_date", str(found.recorded["start_date"]), "tenure today: " + _counts(found.tenure))
    depths = ", ".join(f"depth {depth}: {people}" for depth, people in found.depths)
    table.add_row(
        "manager", str(found.recorded["manager"]), f"{depths} (managers above them)" if depths else ""
    )
    out.print(table, highlight=False)


def _counts(values) -> str:
    return ", ".join(f"{value} {people}" for value, people in values)


def _show_person(person, user_id: str) -> None:
    if person is None:
        out.print(f"no attributes stored for {user_id}", highlight=False)
        return
    source = SOURCES.get(person.source, person.source)
    out.print(f"{user_id}: {source}, stored {person.updated_at:%Y-%m-%d %H:%M} UTC", highlight=False)
    table = wrapping_table("attribute", "value")
    for name, value in person.attributes.as_columns().items():
        table.add_row(name, "-" if value is None else str(value))
    table.add_row("reporting line", " / ".join(person.line) or "-")
    out.print(table, highlight=False)


@group.command("sync")
def sync(team: Team = "") -> None:
    """Read people's attributes from their Slack profile fields (PULSEBOT_PROFILE_FIELDS), for everyone
    the last import did not list; profiles of people deactivated or gone from Slack are removed."""
    from slack_sdk.errors import SlackApiError

    from pulsebot.slack.limits import TIER_4_PER_MINUTE
    from pulsebot.slack.people import profile_fields, read_profiles
    from pulsebot.slack.workspace_people import active_members

    settings = settings_or_fail()
    mapping = settings.profile_fields
    if not mapping:
        fail(
            "PULSEBOT_PROFILE_FIELDS is not set: map profile field ids to attributes, "
            "e.g. Xf01ABC2DEF=department,Xf02GHI3JKL=site",
            code=2,
        )
    engine = migrated(settings)
    team_id, workspaces = reach_workspace(settings, engine, team)
    sessions = scoped_sessions(session_factory(engine), team_id)
    try:
        client = workspaces.client_for(team_id)
        defined = profile_fields(client)
        if unknown := [field_id for field_id in mapping if field_id not in defined]:
            there = ", ".join(f"{field_id} ({label})" for field_id, label in defined.items()) or "none"
            fail(
                f"PULSEBOT_PROFILE_FIELDS: no profile field {', '.join(unknown)} in Slack; "
                f"there are: {there}",
                code=2,
            )
        members = active_members(client, sessions)
        with transaction(sessions) as session:
            imported = imported_ids(session)
        to_read = [member for member in members if member not in imported]
        if len(to_read) > SAY_HOW_LONG_PAST:
            minutes = len(to_read) / TIER_4_PER_MINUTE
            how_long = f"{round(minutes * 60)} seconds" if minutes < 2 else f"{round(minutes)} minutes"
            out.print(f"reading {len(to_read)} profiles, about {how_long} at Slack's pace", highlight=False)
        read = read_profiles(client, to_read, mapping)
    except SlackApiError as error:
        _slack_refused(error)
    except OSError as error:
        fail(f"Slack could not be reached ({error}); nothing was changed")
    attributes = {user_id: found.attributes for user_id, found in read.items()}
    try:
        with transaction(sessions) as session:
            changes = sync_profiles(session, read=attributes, members=members, now=utc_now())
    except IntegrityError:  # a user_change event stored someone meanwhile
        fail("someone's attributes were stored meanwhile; nothing was changed, run it again")
    line = f"profiles of {len(read)} people read: {changes.describe()}"
    if changes.empty:
        line += f"; {changes.empty} with none of the fields filled in"
    if changes.from_csv:
        line += f"; {changes.from_csv} given by the CSV import instead"
    if left_out := Counter(name for found in read.values() for name in found.left_out):
        line += "; values not understood, left out: " + _counts(sorted(left_out.items()))
    out.print(line, highlight=False, soft_wrap=True)
