"""`pulsebot people show`: how many people have each attribute, its values with their counts, tenure
bands from the start dates and how deep the reporting lines go; with --user, one person's attributes."""

from datetime import UTC, datetime, timedelta

import pytest

from pulsebot.services.people.attributes import Attributes
from pulsebot.services.people.people import store_profile
from pulsebot.store.db import transaction
from tests.conftest import PINNED_NOW
from tests.people.conftest import pulsebot, write_csv

pytestmark = pytest.mark.clock  # tenure is counted from today

EXPORT = """\
user_id,department,division,site,region,start_date,level,manager
U0CEO,Board,Management,Berlin,EMEA,2015-01-05,Executive,
U0VPSUP,Support,Operations,Berlin,EMEA,2023-03-01,Director,U0CEO
U0LEAD,Support,Operations,Lisbon,EMEA,2026-06-01,Lead,U0VPSUP
U0ALICE,Support,Operations,Lisbon,EMEA,2027-05-01,Agent,U0LEAD
U0BOB,Support,Operations,Lisbon,EMEA,2027-09-01,Agent,U0LEAD
U0CAROL,Sales,Commercial,,,,,U0CEO
"""


def test_the_counts_of_each_attribute_its_values_tenure_and_reporting_lines(cli_env, sessions, tmp_path):
    pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, EXPORT)))
    with transaction(sessions) as session:
        store_profile(session, user_id="U0DAVE", attributes=Attributes(site="Porto"), now=datetime.now(UTC))

    result = pulsebot(cli_env, "people", "show")

    assert result.exit_code == 0, result.output
    lines = [" ".join(line.strip("│┃ ").split()) for line in result.stdout.splitlines()]
    assert lines[0] == "7 people: 6 from the CSV import, 1 from Slack profiles"
    shown = "\n".join(lines)
    assert "department │ 6 │ Support 4, Board 1, Sales 1" in shown
    assert "division │ 6 │ Operations 4, Commercial 1, Management 1" in shown
    assert "site │ 6 │ Lisbon 3, Berlin 2, Porto 1" in shown
    assert "level │ 5 │ Agent 2, Director 1, Executive 1, Lead 1" in shown
    # Today is 2027-06-16: Bob starts in September, Alice joined six weeks ago, the lead a year ago.
    assert (
        "start_date │ 5 │ tenure today: not started yet 1, < 3 months 1, 1–2 years 1, 2–5 years 1, 5 years +"
        " 1" in shown
    )
    assert "manager │ 5 │ depth 1: 2, depth 2: 1, depth 3: 2 (managers above them)" in shown


def test_one_person_s_stored_attributes_and_their_reporting_line(cli_env, sessions, tmp_path):
    pulsebot(cli_env, "people", "import", str(write_csv(tmp_path, EXPORT)))

    result = pulsebot(cli_env, "people", "show", "--user", "U0ALICE")
    nobody = pulsebot(cli_env, "people", "show", "--user", "U0NOBODY")
    bad = pulsebot(cli_env, "people", "show", "--user", "alice")

    lines = [" ".join(line.strip("│┃ ").split()) for line in result.stdout.splitlines()]
    assert lines[0].startswith(f"U0ALICE: from the CSV import, stored {PINNED_NOW:%Y-%m-%d} ")
    shown = "\n".join(lines)
    for row in (
        "department │ Support",
        "division │ Operations",
        "site │ Lisbon",
        "region │ EMEA",
        "level │ Agent",
        "start_date │ 2027-05-01",
        "manager_id │ U0LEAD",
        "reporting line │ U0CEO / U0VPSUP / U0LEAD",
    ):
        assert row in shown
    assert nobody.stdout == "no attributes stored for U0NOBODY\n"
    assert (bad.exit_code, bad.stderr) == (
        2,
        "pulsebot: --user: “alice” is not a Slack user id; they look like U0123ABCD or W0123ABCD\n",
    )


def test_with_nothing_stored_it_says_how_to_store_some(cli_env, sessions):
    pulsebot(cli_env, "db", "upgrade")

    result = pulsebot(cli_env, "people", "show")

    assert result.stdout == (
        "no attributes stored: `pulsebot people import FILE.csv`, or set PULSEBOT_PROFILE_FIELDS and "
        "`pulsebot people sync`\n"
    )


def test_tenure_bands_begin_on_the_day_the_months_are_up():
    from pulsebot.services.people.overview import tenure_band

    today = PINNED_NOW.date()
    start = today.replace(year=today.year - 1)  # a year ago today
    assert tenure_band(start, on=today) == "1–2 years"
    assert tenure_band(start + timedelta(days=1), on=today) == "3–12 months"
    assert tenure_band(today, on=today) == "< 3 months"
    assert tenure_band(today + timedelta(days=1), on=today) == "not started yet"
    assert tenure_band(datetime(2027, 3, 16).date(), on=today) == "3–12 months"
    assert tenure_band(datetime(2027, 3, 17).date(), on=today) == "< 3 months"
