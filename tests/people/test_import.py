"""`pulsebot people import FILE.csv`: an HR export keyed by Slack id or email becomes people's stored
attributes; the file is the whole export, a bad file writes nothing and names each problem on a line of
its own, and emails are looked up in Slack no faster than Slack's Tier 3 allows."""

from datetime import UTC, date, datetime

from pulsebot.services.people.attributes import Attributes
from pulsebot.services.people.people import store_profile
from pulsebot.slack.limits import TIER_3_PER_MINUTE
from pulsebot.slack.people import LOOKUPS_UP_TO
from pulsebot.store.db import transaction
from pulsebot.store.scoping import scoped_sessions
from tests.installing import ACME, GLOBEX
from tests.people.conftest import pulsebot, slack_pace_without_waiting, spaced_at_least, stored, write_csv
from tests.stored_bytes import where_found

EXPORT = """\
user_id,department,division,site,region,start_date,level,manager
U0CEO,Board,Management,Berlin,EMEA,2015-01-05,Executive,
U0VPSUP,Support,Operations,Berlin,EMEA,2019-03-01,Director,U0CEO
U0ALICE,Support,Operations,Lisbon,EMEA,2026-09-01,Agent,U0VPSUP
U0BOB,Support,Operations,,,,Agent,U0VPSUP
"""


def test_an_export_is_stored_and_importing_it_again_changes_nothing(cli_env, sessions, fake_slack, tmp_path):
    file = write_csv(tmp_path, EXPORT)

    first = pulsebot(cli_env, "people", "import", str(file))

    assert first.exit_code == 0, first.output
    assert first.stdout == "people.csv: 4 added, 0 updated, 0 removed, 0 unchanged\n"
    rows = stored(sessions)
    assert set(rows) == {("", "U0CEO"), ("", "U0VPSUP"), ("", "U0ALICE"), ("", "U0BOB")}
    alice = rows[("", "U0ALICE")]
    assert {name: alice[name] for name in ("department", "division", "site", "region", "level")} == {
        "department": "Support",
        "division": "Operations",
        "site": "Lisbon",
        "region": "EMEA",
        "level": "Agent",
    }
    assert alice["start_date"] == date(2026, 9, 1) and alice["manager_id"] == "U0VPSUP"
    assert alice["source"] == "csv"
    bob = rows[("", "U0BOB")]
    assert (bob["site"], bob["region"], bob["start_date"]) == (None, None, None)  # not recorded
    assert rows[("", "U0CEO")]["manager_id"] is None

    again = pulsebot(cli_env, "people", "import", str(file))

    assert again.stdout == "people.csv: 0 added, 0 updated, 0 removed, 4 unchanged\n"
    assert stored(sessions) == rows  # not even the time of the last change moved
    assert fake_slack.calls == []  # ids only: Slack is not asked anything


def test_the_file_is_the_whole_export_and_wins_over_profile_fields(cli_env, sessions, tmp_path):
    pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, EXPORT)))
    with transaction(sessions) as session:  # read from Slack profiles before
        for user_id in ("U0CAROL", "U0DAVE"):
            store_profile(
                session, user_id=user_id, attributes=Attributes(site="Porto"), now=datetime.now(UTC)
            )
    later = EXPORT.replace("U0BOB,Support,Operations,,,,Agent", "U0BOB,Sales,Commercial,,,,Agent")
    later = later.replace("U0ALICE,Support,Operations,Lisbon,EMEA,2026-09-01,Agent,U0VPSUP\n", "")
    later += "U0CAROL,Support,Operations,Lisbon,EMEA,,Agent,U0VPSUP\n"

    result = pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, later)))

    assert result.stdout == "people.csv: 0 added, 2 updated, 1 removed, 2 unchanged\n"
    rows = stored(sessions)
    assert ("", "U0ALICE") not in rows  # no longer in the export
    assert rows[("", "U0BOB")]["department"] == "Sales"
    assert (rows[("", "U0CAROL")]["source"], rows[("", "U0CAROL")]["site"]) == ("csv", "Lisbon")
    assert rows[("", "U0DAVE")]["source"] == "profile"  # not the import's to remove


BAD = """\
user_id,email,department,division,site,start_date,managr,level,manager
U0ANN,,Support,Operations,Berlin,2024-02-30,,,U0BEN
U0BEN,,Support,Operations,Berlin,2021-01-01,,,U0CLEO
U0CLEO,,Support,Sales,Berlin,,,,U0ANN
U0ANN,,Support,Operations,Berlin,,,,
alice,,Support,Operations,Berlin,2027-13-01,,,
,nobody@example.com,Support,Operations,Berlin,,,,
U0HAL,,Support,Operations,Berlin,,,,nobody@example.com
U0DAN,,Support,Operations,Berlin,,,,U0GHOST
U0EVE,,{long},Operations,Berlin,,,,U0EVE
U0FAY,,Support,Operations,Berlin
U0GUS,,,,,,,,boss
"""


def test_every_problem_of_a_bad_file_is_named_on_its_own_line_and_nothing_is_written(
    cli_env, sessions, fake_slack, tmp_path
):
    pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, EXPORT)))
    before = stored(sessions)
    file = write_csv(tmp_path, BAD.format(long="x" * 81))

    result = pulsebot(cli_env, "people", "import", str(file))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pulsebot: people.csv, line 1, managr: not a column pulsebot knows; the columns are user_id, email, "
        "department, division, site, region, level, start_date, end_date, manager",
        "pulsebot: people.csv, line 2, start_date: '2024-02-30' is not a date (YYYY-MM-DD)",
        "pulsebot: people.csv, line 2, manager: the reporting line goes round in a circle: "
        "U0ANN → U0BEN → U0CLEO → U0ANN",
        "pulsebot: people.csv, line 4, division: 'Sales' for department 'Support', which line 2 puts in "
        "'Operations'; a department lies in one division",
        "pulsebot: people.csv, line 5, user_id: U0ANN is already on line 2",
        "pulsebot: people.csv, line 6, user_id: 'alice' is not a Slack user id (like U0123ABCD)",
        "pulsebot: people.csv, line 6, start_date: '2027-13-01' is not a date (YYYY-MM-DD)",
        "pulsebot: people.csv, line 7, email: nobody@example.com is not a member of this Slack workspace",
        "pulsebot: people.csv, line 9, manager: U0GHOST is not in the file; a manager needs a line of "
        "their own",
        "pulsebot: people.csv, line 10, department: 81 characters, at most 80",
        "pulsebot: people.csv, line 10, manager: U0EVE is the person themselves",
        "pulsebot: people.csv, line 11: 5 values, but the header names 9 columns",
        "pulsebot: people.csv, line 12, manager: 'boss' is not a Slack user id or an email address",
    ]
    assert stored(sessions) == before
    assert fake_slack.calls_to("users.lookupByEmail") == [{"email": "nobody@example.com"}]


def test_a_file_that_cannot_be_read_as_an_export_says_why(cli_env, sessions, tmp_path):
    cases = {
        "missing.csv": (None, "pulsebot: missing.csv: cannot read the file (No such file or directory)"),
        "latin.csv": (
            "user_id,site\nU0ANN,Málaga\n".encode("latin-1"),
            "pulsebot: latin.csv: not UTF-8 text; save it as CSV UTF-8",
        ),
        "nokey.csv": (
            b"name,site\nAnn,Berlin\n",
            "pulsebot: nokey.csv, line 1, name: not a column pulsebot knows; the columns are user_id, email, "
            "department, division, site, region, level, start_date, end_date, manager\n"
            "pulsebot: nokey.csv, line 1: no user_id or email column; each person is named by their Slack "
            "user id or their email",
        ),
        "empty.csv": (
            b"",
            "pulsebot: empty.csv: no header line; the first line names the columns, e.g. email,department",
        ),
        "header.csv": (
            b"\xef\xbb\xbfuser_id,site\n",  # a spreadsheet's byte order mark, and no one
            "pulsebot: header.csv: the file lists no one; an export that lists no one would remove everyone "
            "imported",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)

        result = pulsebot(cli_env, "people", "import", str(path))

        assert (result.exit_code, result.stderr) == (1, message + "\n"), name
    assert stored(sessions) == {}


BY_EMAIL = """\
email,department,manager
Ceo@Example.com,Board,
vp@example.com,Support,ceo@example.com
ann@example.com,Support,vp@example.com
ben@example.com,Support,U0VP
"""


def test_emails_are_looked_up_in_slack_no_faster_than_its_tier_allows(
    cli_env, engine, sessions, fake_slack, tmp_path
):
    for user_id, email in (("U0CEO", "ceo@example.com"), ("U0VP", "VP@example.com")):
        fake_slack.add_user(user_id, email=email)
    fake_slack.add_user("U0ANN", email="ann@example.com")
    fake_slack.add_user("U0BEN", email="ben@example.com", deleted=True)  # HR's export lags behind Slack
    fake_slack.rate_limit("users.lookupByEmail", per_minute=TIER_3_PER_MINUTE)
    file = write_csv(tmp_path, BY_EMAIL)

    with slack_pace_without_waiting():
        result = pulsebot(cli_env, "people", "import", str(file))

    assert result.stdout == "people.csv: 4 added, 0 updated, 0 removed, 0 unchanged\n", result.output
    lookups = fake_slack.calls_to("users.lookupByEmail")
    assert [call["email"] for call in lookups] == [
        "ceo@example.com",
        "vp@example.com",
        "ann@example.com",
        "ben@example.com",
    ]
    assert spaced_at_least(fake_slack.times_of("users.lookupByEmail"), 60 / TIER_3_PER_MINUTE)
    assert fake_slack.calls_to("users.lookupByEmail:429") == []
    managers = {user_id: row["manager_id"] for (_, user_id), row in stored(sessions).items()}
    assert managers == {"U0CEO": None, "U0VP": "U0CEO", "U0ANN": "U0VP", "U0BEN": "U0VP"}
    assert where_found(engine, "ann@example.com", ("person",)) == []  # only the Slack id is stored


def test_a_big_file_s_emails_come_from_one_walk_through_the_workspace(
    cli_env, sessions, fake_slack, tmp_path
):
    count = LOOKUPS_UP_TO + 1
    for n in range(count):
        fake_slack.add_user(f"U0P{n:03d}", email=f"p{n}@example.com")
    rows = "".join(f"p{n}@example.com,Support\n" for n in range(count))

    result = pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, "email,department\n" + rows)))

    assert result.stdout == f"people.csv: {count} added, 0 updated, 0 removed, 0 unchanged\n", result.output
    assert fake_slack.calls_to("users.lookupByEmail") == []
    assert len(fake_slack.calls_to("users.list")) == 1
    assert len(stored(sessions)) == count


def test_emails_need_slack_and_a_refusal_is_one_line(cli_env, sessions, fake_slack, tmp_path):
    file = write_csv(tmp_path, "email,department\nann@example.com,Support\n")

    no_token = pulsebot({**cli_env, "SLACK_BOT_TOKEN": None}, "people", "import", str(file))
    fake_slack.fail("users.lookupByEmail", "missing_scope")
    refused = pulsebot(cli_env, "people", "import", str(file))

    assert (no_token.exit_code, refused.exit_code) == (2, 1)
    assert no_token.stderr == (
        "pulsebot: people.csv names people by email, which Slack turns into user ids: set SLACK_BOT_TOKEN\n"
    )
    assert refused.stderr == (
        "pulsebot: Slack refused users.lookupByEmail: missing_scope (add manifest.yml's scopes to the app, "
        "then reinstall it); nothing was changed\n"
    )
    assert stored(sessions) == {}


def test_with_several_workspaces_the_file_goes_to_the_one_named(oauth_env, sessions, tmp_path):
    file = write_csv(tmp_path, EXPORT)

    unnamed = pulsebot(oauth_env, "people", "import", str(file))
    named = pulsebot(oauth_env, "people", "import", str(file), "--team", GLOBEX)

    assert unnamed.exit_code == 1
    assert unnamed.stderr == (
        f"pulsebot: --team: pulsebot serves several workspaces; name one of: {ACME}, {GLOBEX}\n"
    )
    assert named.stdout == "people.csv: 4 added, 0 updated, 0 removed, 0 unchanged\n", named.output
    assert {team for team, _ in stored(sessions)} == {GLOBEX}
    assert stored(scoped_sessions(sessions, ACME)) == {}
