"""The rule for distributions: which answer counts pulsebot may show without telling anyone what a
colleague answered.

Everyone who answered knows their own answer. Counts that, once that answer is taken away, leave the
rest in a single option tell them every other answer: "5 answered: 5 no", or "1 yes, 4 no" read by the
one who said yes. So counts are shown only when, after removing any of one person's answers, the rest
still fall in at least two options; otherwise they are withheld entirely (`shown_counts`).

A mean (a 1–5 mood, a share of yes, an eNPS) says less: only the sum of the answers, so a colleague
who knows their own learns the sum of the others'. That sum names every other answer exactly when it is
the lowest or the highest they could give: all at the bottom or all at the top (a mean of exactly 1.0 or
5.0, 0% or 100% yes, eNPS ±100), or all but the reader's own answer there (four 1s and a 5, read by the
one who gave the 5). Any other sum is also reached with two colleagues' different answers swapped, so it
pins nobody's. A mean is therefore shown unless removing one person's answers can leave the rest all at
one end of the scale (`shown_mean`); a withheld mean is left out of every figure made from it (the
team's mood and eNPS, the organisation's, the driver scores), which are sums of the shown ones.

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
    counts = tuple(counts)
    if any(count < 0 for count in counts) or answers_each < 1:
        raise ValueError("counts are never negative, and everyone who answered holds at least one answer")
    outside_the_most_common = sum(counts) - max(counts, default=0)
    return counts if outside_the_most_common > answers_each else None


def shown_mean(counts: Sequence[int], *, answers_each: int = 1) -> bool:
    """Whether a mean of these counts (ordered from the lowest option to the highest) may be shown.

    For an eNPS the options are its detractors, passives and promoters: the score moves with those
    alone. Removing `answers_each` answers leaves the rest all at one end only when that many or fewer
    lie off that end."""
    counts = tuple(counts)
    if any(count < 0 for count in counts) or answers_each < 1 or len(counts) < 2:
        raise ValueError("a mean needs two options at least, no negative count, one answer each at least")
    answered = sum(counts)
    return answered - counts[0] > answers_each and answered - counts[-1] > answers_each
