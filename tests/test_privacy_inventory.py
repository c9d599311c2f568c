"""docs/privacy.md's inventory of every copy of a value names, for each place, the tests that show it holds
nothing it should not, or says plainly that the place is outside pulsebot's reach."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
INVENTORY = "## Every copy of a value"


def inventory_rows() -> list[str]:
    section = (ROOT / "docs" / "privacy.md").read_text().split(f"\n{INVENTORY}\n")[1].split("\n## ")[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    return table[2:]  # after the heading and its rule


def test_every_place_in_the_inventory_names_tests_that_exist_or_is_outside_pulsebot_s_reach():
    rows = inventory_rows()
    assert len(rows) >= 10
    for row in rows:
        place = row.split(" | ")[0]
        named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)
        assert named or "outside pulsebot's reach" in row, place
        for path, name in named:
            assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.MULTILINE), f"{place}: {name}"
