"""The rule for distributions (services/privacy/distributions.py), tested once, on the function itself:
whatever counts it lets through, a member who takes away their own answers still finds the others in
two options at least, so swapping two colleagues' different answers keeps every figure made of them;
whatever it withholds, it withholds entirely, and no more than it must."""

from __future__ import annotations

from collections import Counter
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulsebot.services.privacy.distributions import shown_counts

counts_of = st.lists(st.integers(min_value=0, max_value=7), min_size=2, max_size=11)
answers_each = st.integers(min_value=1, max_value=3)


def removals(counts: tuple[int, ...], how_many: int):
    """Every way to take `how_many` of the answers away (as counts per option), or all if fewer."""
    how_many = min(how_many, sum(counts))
    options = [option for option, count in enumerate(counts) if count]
    seen = set()
    for picked in product(options, repeat=how_many):
        taken = Counter(picked)
        if (
            all(taken[option] <= counts[option] for option in taken)
            and (key := tuple(sorted(picked))) not in seen
        ):
            seen.add(key)
            yield tuple(count - taken[option] for option, count in enumerate(counts))


def options_left(counts: tuple[int, ...]) -> int:
    return sum(1 for count in counts if count)


@given(counts_of, answers_each)
def test_counts_shown_leave_the_others_in_two_options_after_any_member_s_answers_are_removed(counts, each):
    shown = shown_counts(counts, answers_each=each)

    assert shown is None or shown == tuple(counts)  # withheld entirely, or shown as they are
    the_rest = [options_left(rest) for rest in removals(tuple(counts), each)]
    if shown is not None:
        assert min(the_rest) >= 2
    else:  # and it withholds no more than it must
        assert min(the_rest) <= 1


@given(counts_of)
def test_over_counts_shown_each_member_finds_two_others_whose_answers_could_be_swapped(counts):
    # The sum (so the mean, the share, the eNPS) stays the same with any two different answers of the
    # others swapped: whichever colleague a member looks at, another answer of theirs is as possible.
    if shown_counts(counts) is None:
        return
    for own, count in enumerate(counts):
        if count:
            others = [option for option, left in enumerate(counts) if left - (option == own) > 0]
            assert len(others) >= 2


def test_the_cases_of_the_issue():
    assert shown_counts([0, 0, 5]) is None  # "5 answered: 5 no"
    assert shown_counts([1, 0, 4]) is None  # "1 yes, 4 no", read by the one who said yes
    assert shown_counts([2, 0, 3]) == (2, 0, 3)
    assert shown_counts([1, 1, 3]) == (1, 1, 3)
    assert shown_counts([5, 0, 0, 0, 0]) is None  # a mood of exactly 1.0
    assert shown_counts([4, 0, 0, 0, 1]) is None  # 1.8: the one who gave 5 knows the four others gave 1
    assert shown_counts([0, 0, 0, 5, 0]) is None  # 4.0 "with the spread withheld" could only be all 4s
    assert shown_counts([0, 0, 1, 3, 1]) == (0, 0, 1, 3, 1)
    # Pooling two runs, one person may hold two answers: both are taken away.
    assert shown_counts([2, 0, 3]) is not None and shown_counts([2, 0, 3], answers_each=2) is None


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        shown_counts([-1, 3])
    with pytest.raises(ValueError):
        shown_counts([2, 3], answers_each=0)
