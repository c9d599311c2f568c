"""Slack profile fields as the second source of attributes: PULSEBOT_PROFILE_FIELDS maps field ids to
attributes, `pulsebot people sync` reads every member's fields at Slack's Tier 4 pace, and a
`user_change` event keeps one person current or removes them when they are deactivated. A CSV row wins."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from pulsebot.services.people.attributes import Attributes
from pulsebot.services.people.people import store_profile
from pulsebot.slack import people as slack_people
from pulsebot.slack.limits import TIER_4_PER_MINUTE
from pulsebot.store.db import transaction
from tests.conftest import ADMIN, MANAGER, PINNED_NOW, TEAM
from tests.people.conftest import pulsebot, slack_pace_without_waiting, spaced_at_least, stored, write_csv

ALICE, BOB, CAROL, DAVE, ERIN = TEAM
FIELDS = {"Xf01DEPT": "department", "Xf02SITE": "site", "Xf03START": "start_date", "Xf04BOSS": "manager"}
SETTING = ",".join(f"{field_id}={name}" for field_id, name in FIELDS.items())


@pytest.fixture(autouse=True)
def profiles_never_read():
    """Each test starts as a fresh process would: no person's profile read lately on an event."""
    slack_people._readers.clear()


@pytest.fixture
def settings(settings):
    """The app under test maps the same profile fields as the command's environment."""
    return settings.model_copy(update={"profile_fields": FIELDS})


@pytest.fixture
def env(cli_env) -> dict:
    return {**cli_env, "PULSEBOT_PROFILE_FIELDS": SETTING}


def workspace_with_fields(fake_slack) -> None:
    for field_id, label in (("Xf01DEPT", "Department"), ("Xf02SITE", "Office"), ("Xf03START", "Start")):
        fake_slack.add_profile_field(field_id, label, kind="date" if field_id == "Xf03START" else "text")
    fake_slack.add_profile_field("Xf04BOSS", "Manager", kind="user")
    fake_slack.add_profile_field("Xf05PRONOUNS", "Pronouns")
    fake_slack.set_profile(
        ALICE, {"Xf01DEPT": "Support", "Xf02SITE": "Lisbon", "Xf03START": "2026-01-10", "Xf04BOSS": MANAGER}
    )
    fake_slack.set_profile(BOB, {"Xf01DEPT": "Support", "Xf03START": "soon", "Xf05PRONOUNS": "he/him"})
    fake_slack.set_profile(DAVE, {"Xf02SITE": "Porto"})
    fake_slack.set_profile(ERIN, {"Xf01DEPT": "Marketing"})  # the CSV import gives hers
    fake_slack.add_user("U0GONE", deleted=True)
    fake_slack.set_profile("U0GONE", {"Xf01DEPT": "Support"})


def test_a_sync_reads_every_member_s_fields_at_tier_4_s_pace_and_the_csv_wins(
    env, sessions, fake_slack, tmp_path
):
    workspace_with_fields(fake_slack)
    pulsebot(env, "people", "import", str(write_csv(tmp_path, f"user_id,department\n{ERIN},Sales\n")))
    with transaction(sessions) as session:  # read from a profile before, and no longer in Slack
        store_profile(session, user_id="U0LEFT", attributes=Attributes(site="Porto"), now=datetime.now(UTC))
    fake_slack.rate_limit("users.profile.get", per_minute=TIER_4_PER_MINUTE)

    with slack_pace_without_waiting():
        result = pulsebot(env, "people", "sync")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "profiles of 6 people read: 3 added, 0 updated, 1 removed, 0 unchanged; 3 with none of the fields "
        "filled in; 1 given by the CSV import instead; values not understood, left out: start_date 1\n"
    )
    assert len(fake_slack.calls_to("team.profile.get")) == 1
    read = [call["user"] for call in fake_slack.calls_to("users.profile.get")]
    assert sorted(read) == sorted([ADMIN, MANAGER, ALICE, BOB, CAROL, DAVE])  # no bot, no one deactivated
    assert spaced_at_least(fake_slack.times_of("users.profile.get"), 60 / TIER_4_PER_MINUTE)
    assert fake_slack.calls_to("users.profile.get:429") == []
    rows = stored(sessions)
    assert set(rows) == {("", ALICE), ("", BOB), ("", DAVE), ("", ERIN)}
    alice = rows[("", ALICE)]
    assert (alice["department"], alice["site"], alice["start_date"], alice["manager_id"]) == (
        "Support",
        "Lisbon",
        date(2026, 1, 10),
        MANAGER,
    )
    assert (alice["source"], rows[("", BOB)]["start_date"]) == ("profile", None)
    assert (rows[("", ERIN)]["department"], rows[("", ERIN)]["source"]) == ("Sales", "csv")

    fake_slack.set_profile(DAVE, {"Xf02SITE": "Braga"})
    fake_slack.set_profile(BOB, {"Xf01DEPT": ""})  # nothing mapped left
    with slack_pace_without_waiting(start=PINNED_NOW + timedelta(days=1)):
        again = pulsebot(env, "people", "sync")

    assert again.stdout.startswith("profiles of 6 people read: 0 added, 1 updated, 1 removed, 1 unchanged;")
    rows_now = stored(sessions)
    assert rows_now[("", DAVE)]["site"] == "Braga" and ("", BOB) not in rows_now
    assert rows_now[("", ALICE)]["updated_at"] >= PINNED_NOW + timedelta(days=1)  # confirmed by Slack again


def test_a_field_the_workspace_does_not_have_is_named_with_those_it_has(env, sessions, fake_slack):
    fake_slack.add_profile_field("Xf01DEPT", "Department")

    result = pulsebot(env, "people", "sync")

    assert result.exit_code == 2
    assert result.stderr == (
        "pulsebot: PULSEBOT_PROFILE_FIELDS: no profile field Xf02SITE, Xf03START, Xf04BOSS in Slack; there "
        "are: Xf01DEPT (Department)\n"
    )
    assert fake_slack.calls_to("users.profile.get") == [] and stored(sessions) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            None,
            "PULSEBOT_PROFILE_FIELDS is not set: map profile field ids to attributes, e.g. "
            "Xf01ABC2DEF=department,Xf02GHI3JKL=site",
        ),
        (
            "Xf01DEPT=dept",
            "PULSEBOT_PROFILE_FIELDS: 'dept' is not an attribute; use one of department, "
            "division, site, region, start_date, level, manager",
        ),
        (
            "Department=department",
            "PULSEBOT_PROFILE_FIELDS: 'Department' is not a profile field id (like Xf01ABC2DEF)",
        ),
        (
            "Xf01=site,Xf02=site",
            "PULSEBOT_PROFILE_FIELDS: two fields fill site; name one field for each attribute",
        ),
        (
            "Xf01DEPT",
            "PULSEBOT_PROFILE_FIELDS: 'Xf01DEPT' is not FIELD_ID=attribute, such as Xf01ABC2DEF=department",
        ),
    ],
)
def test_the_setting_is_checked_and_a_mistake_named_in_one_line(cli_env, fake_slack, value, message):
    result = pulsebot({**cli_env, "PULSEBOT_PROFILE_FIELDS": value}, "people", "sync")

    assert (result.exit_code, result.stderr) == (2, f"pulsebot: {message}\n")
    assert fake_slack.calls == []


def test_the_attributes_config_and_the_services_know_are_the_same():
    from pulsebot.config import PROFILE_ATTRIBUTES
    from pulsebot.services.people.attributes import ATTRIBUTES

    assert set(PROFILE_ATTRIBUTES) == set(ATTRIBUTES)


def eventually(read, timeout: float = 10.0):
    """What `read` returns once it is truthy: a listener finishes after Slack has its ack."""
    deadline = time.monotonic() + timeout
    while not (found := read()):
        assert time.monotonic() < deadline, "the listener did not get there"
        time.sleep(0.05)
    return found


def user_change(slack, user_id: str, *, deleted: bool = False, fields: dict | None = None):
    profile = {"real_name": user_id.title(), "fields": fields or {}}
    user = {
        "id": user_id,
        "team_id": "T0ACME",
        "name": user_id.lower(),
        "deleted": deleted,
        "profile": profile,
    }
    return slack.event({"type": "user_change", "user": user, "event_ts": "1.0"})


def test_an_event_that_carries_the_fields_is_stored_without_asking_slack(slack, fake_slack, sessions):
    reply = user_change(
        slack, ALICE, fields={"Xf01DEPT": {"value": "Support", "alt": ""}, "Xf09": {"value": "x"}}
    )

    assert reply.status == 200
    row = eventually(lambda: stored(sessions).get(("", ALICE)))
    assert (row["department"], row["site"], row["source"]) == ("Support", None, "profile")
    assert fake_slack.calls_to("users.profile.get") == []


def test_an_event_without_the_fields_reads_them_once_an_hour_at_most(slack, fake_slack, sessions):
    workspace_with_fields(fake_slack)

    user_change(slack, ALICE)  # a status change: Slack sends no custom field with it
    row = eventually(lambda: stored(sessions).get(("", ALICE)))
    fake_slack.set_profile(ALICE, {"Xf02SITE": "Faro"})
    user_change(slack, ALICE)  # the next status change, a minute later
    user_change(slack, BOB)
    eventually(lambda: stored(sessions).get(("", BOB)))

    assert [call["user"] for call in fake_slack.calls_to("users.profile.get")] == [ALICE, BOB]
    assert row["site"] == "Lisbon" and stored(sessions)[("", ALICE)]["site"] == "Lisbon"


def test_a_deactivated_person_s_profile_attributes_are_removed_and_a_csv_row_is_left_alone(
    slack, fake_slack, sessions, client, cli_env, tmp_path
):
    pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, f"user_id,department\n{ERIN},Sales\n")))
    with transaction(sessions) as session:
        store_profile(session, user_id=DAVE, attributes=Attributes(site="Porto"), now=datetime.now(UTC))
    fake_slack.set_profile(ERIN, {"Xf01DEPT": "Marketing"})

    user_change(slack, DAVE, deleted=True)
    eventually(lambda: ("", DAVE) not in stored(sessions))
    # The same handling as the listener's, awaited here: her profile is not even read.
    outcomes = [
        slack_people.on_user_change(
            client, sessions, user=user, mapping=FIELDS, team_id="", now=datetime.now(UTC)
        )
        for user in ({"id": ERIN, "profile": {}}, {"id": ERIN, "deleted": True})
    ]

    assert outcomes == ["csv", None]
    rows = stored(sessions)
    assert (rows[("", ERIN)]["department"], rows[("", ERIN)]["source"]) == ("Sales", "csv")
    assert fake_slack.calls_to("users.profile.get") == []
