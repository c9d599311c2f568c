"""The rule for distributions: which answer counts pulsebot may show without telling anyone what a
colleague answered.

Everyone who answered knows their own answer. Counts that, once that answer is taken away, leave the
rest in a single option tell them every other answer: "5 answered: 5 no", or "1 yes, 4 no" read by the
one who said yes. So counts are shown only when, after removing any of one person's answers, the rest
still fall in at least two options; otherwise they are withheld entirely (`shown_counts`).

A mean (a 1–5 mood, a share of yes, an eNPS) follows its counts: shown with them, withheld with them.
On its own a mean gives only the sum of the answers, and the others' sum names each of them only at an
end of the scale (a mean of exactly 1.0 or 5.0, 0% or 100% yes, eNPS ±100, or all the others there with
the reader alone elsewhere). But beside counts that are withheld, or beside the fact that they are, it
names them off the ends too: "4.0 of 5, spread withheld" from five people leaves the one who gave a 4
only one possibility, that all five did. So a withheld question shows how many answered and nothing
else, and is left out of every figure made from it (the team's mood and eNPS, the organisation's, the
driver scores). Over counts that pass, swapping two colleagues' different answers changes no figure
pulsebot shows, so none of them pins one colleague's answer.

One person may hold several answers of the same counts (a week pooling two runs that asked the same
question): `answers_each` is how many, and that many are removed.

Every view gets its counts from here: the weekly figures (services/results/analytics.py: digest, share,
App Home, report, export, the focus trend), the driver scores (services/results/drivers.py) and the
rounds of "Is this helping?" (services/loop/helping.py).
"""

from __future__ import annotations

from collections.abc import Sequence

# Why a figure is withheld under this rule, as every view says it.
TELLS = "would tell someone how a colleague answered"


def shown_counts(counts: Sequence[int], *, answers_each: int = 1) -> tuple[int, ...] | None:
    """The counts per option as they may be shown, or None when they must be withheld.

    Removing `answers_each` answers leaves a single option only when that many or fewer lie outside the
    most common option; then the counts (and all made from them) are withheld."""
    counts = counts if type(counts) is tuple else tuple(counts)
    # min() and max() rather than a loop in Python: every team's every question goes through here.
    if (counts and min(counts) < 0) or answers_each < 1:
        raise ValueError("counts are never negative, and everyone who answered holds at least one answer")
    outside_the_most_common = sum(counts) - max(counts, default=0)
    return counts if outside_the_most_common > answers_each else None
