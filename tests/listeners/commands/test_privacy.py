"""`/pulse privacy` tells each person who can learn what: the documentation's threat model (Privacy),
row by row, and no promise the operator holding the key could break."""

import re
from pathlib import Path

PRIVACY_PAGE = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"


def threat_model_rows() -> list[list[str]]:
    section = PRIVACY_PAGE.read_text().split("## Threat model: who can learn what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [
        [cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]
    ]  # after the header and its rule


def test_the_privacy_reply_has_every_row_of_the_documented_threat_model(slack, settings):
    reply = slack.command("/pulse", "privacy", user="U0ALICE").text

    rows = threat_model_rows()
    assert [who for who, *_ in rows] == [
        "A colleague in the channel",
        "Your manager",
        "An admin",
        "Someone reading the database without the key",
        "The operator, holding the database and the key",
    ]
    for who, *_ in rows:
        line = next(line for line in reply.splitlines() if line.startswith(f"• *{who}*"))
        assert re.search(r"\bNever\b|\bAfter that time\b", line), line  # each says what stays out of reach
    assert f"groups of at least {settings.min_group} people" in reply
    assert "shuffled batches" in reply and "no live count" in reply
    assert f"its cell: a group of at least {settings.min_group} of the people asked" in reply
    assert f"{settings.reply_window_days} days" in reply and "key material is destroyed" in reply
    assert "recompute your code" in reply  # the operator's power, said plainly


def test_no_reply_promises_that_answers_cannot_be_tied_to_the_person(slack, fake_slack):
    privacy = slack.command("/pulse", "privacy", user="U0ALICE").text
    question = slack.command("/pulse", "forget-me", user="U0ALICE").json["blocks"][0]["text"]["text"]

    for text in (privacy, question):
        assert "cannot be tied to you" not in text and "anonymous by construction" not in text
    assert "the operator holding pulsebot's key could still find them" in question
