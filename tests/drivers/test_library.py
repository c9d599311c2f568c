"""The question library shipped in the package: well formed, and every item listed in the docs."""

from pathlib import Path

import pytest

from pulsebot.services.survey.library import LibraryError, engagement_library, parse_library

DOCS = (Path(__file__).parents[2] / "docs" / "library.md").read_text()


def test_the_library_has_ten_to_twelve_drivers_of_three_to_five_items_and_enps():
    library = engagement_library()

    assert 10 <= len(library.drivers) <= 12
    assert all(3 <= len(driver.items) <= 5 for driver in library.drivers)
    assert "customer" in library.driver_ids
    assert any(item.reversed for driver in library.drivers for item in driver.items)
    assert library.enps.id == "enps"


def test_every_item_id_is_unique_fits_a_question_key_and_names_its_driver():
    items = [item for driver in engagement_library().drivers for item in driver.items]

    assert len({item.id for item in items}) == len(items)
    assert all(len(item.id) <= 40 and item.id.startswith(item.driver + ".") for item in items)
    assert all(len(item.text) <= 300 and item.version >= 1 for item in items)


def test_the_docs_list_every_driver_and_item_as_shipped():
    for driver in engagement_library().drivers:
        assert f"### {driver.name}" in DOCS
        for item in driver.items:
            reversed_cell = "yes" if item.reversed else ""
            assert f"| `{item.id}` | {item.version} | {item.text} | {reversed_cell} |" in DOCS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["drivers"][0]["items"].__setitem__(1, dict(d["drivers"][0]["items"][0])), "used twice"),
        (lambda d: d["drivers"][0]["items"][0].__setitem__("id", "other.x"), "must read"),
        (lambda d: d["drivers"][0].__setitem__("items", d["drivers"][0]["items"][:2]), "3 to 5 items"),
    ],
)
def test_a_malformed_library_is_refused_with_the_reason(change, message):
    data = {
        "library": "t",
        "version": 1,
        "drivers": [
            {
                "id": "a",
                "name": "A",
                "items": [{"id": f"a.{n}", "version": 1, "text": f"Item {n}."} for n in range(3)],
            }
        ],
        "enps": {"id": "enps", "version": 1, "text": "Recommend?"},
    }
    change(data)

    with pytest.raises(LibraryError, match=message):
        parse_library(data)
