"""The sample digest in the README and in Getting started is the demo's own output, not a copy that goes
stale: the demo is run for the day the samples were written (its figures depend only on that day and
its seed) and the pages must show what it prints.

When a change to the digest changes the demo's text, this test fails with the new text: paste it into
docs/getting-started.md (whole) and the README (its excerpt, lines left out marked `…`)."""

import re
from datetime import UTC, datetime
from pathlib import Path

from pulsebot.demo import run_demo

ROOT = Path(__file__).parents[1]
# The day the samples show the demo's digest for (a Monday: the digest covers the week before).
SAMPLE_DAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def sample_after(page: Path, sentence: str) -> str:
    """The ```text block that follows `sentence` on `page`."""
    text = page.read_text()
    block = re.search(r"```text\n(.*?)```", text[text.index(sentence) :], flags=re.S)
    assert block, (page, sentence)
    return block.group(1)


def test_the_sample_digests_are_what_the_demo_prints(tmp_path):
    printed = run_demo(tmp_path, now=SAMPLE_DAY).text

    whole = sample_after(ROOT / "docs" / "getting-started.md", "`heatmap.png` and `heatmap.csv`:")
    excerpt = sample_after(ROOT / "README.md", "the organisation's driver heatmap and this text:")

    assert whole == printed, f"docs/getting-started.md's sample should now read:\n{printed}"
    # The README's excerpt: the demo's lines, in its order, with `…` where some are left out.
    remaining = printed.splitlines()
    for line in excerpt.splitlines():
        if line.strip() == "…":
            continue
        assert line in remaining, f"the README's sample has a line the demo does not print: {line!r}"
        remaining = remaining[remaining.index(line) + 1 :]
    assert "…" in excerpt
