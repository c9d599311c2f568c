"""Which library items a run asks: a rotation that is the same for the whole team in a run and follows
from the survey and the run's number alone.

The drivers are laid out in one order (shuffled once per survey) and read round, `per_pulse` at a time:
run r asks the drivers at slots r·k … r·k + k − 1 of that endless cycle. Any `cycle_runs` consecutive runs
therefore read at least as many slots as there are drivers, so every driver is asked at least once in
every stretch of that many runs. Each driver's items are likewise taken in one order (shuffled once per
survey and driver) and read round, one per time the driver comes up, so no item comes back before every
other item of its driver has been asked.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rotation:
    seed: str  # the survey's name: the same survey rotates the same way on every replica and every day
    drivers: tuple[tuple[str, tuple[str, ...]], ...]  # (driver, its item ids) in library order
    per_pulse: int

    def __post_init__(self) -> None:
        if not self.drivers or self.per_pulse < 1:
            raise ValueError("a rotation needs at least one driver and one item a pulse")
        if self.per_pulse > self.capacity:
            raise ValueError(f"at most {self.capacity} items a pulse for these drivers")

    @property
    def capacity(self) -> int:
        """The most items a run can ask with no driver's item twice: every driver comes up at most
        ceil(k / d) times in a run, and must have that many different items."""
        fewest = min(len(items) for _, items in self.drivers)
        return len(self.drivers) * fewest

    @property
    def cycle_runs(self) -> int:
        """N: every driver is asked at least once in any N consecutive runs."""
        return math.ceil(len(self.drivers) / self.per_pulse)

    def _driver_order(self) -> list[tuple[str, tuple[str, ...]]]:
        order = list(self.drivers)
        random.Random(f"{self.seed}:drivers").shuffle(order)
        return order

    def items_for_run(self, run_number: int) -> list[str]:
        """The item ids run number `run_number` (0 for the survey's first run) asks, in asking order."""
        order = self._driver_order()
        count = len(order)
        first_slot = run_number * self.per_pulse
        chosen = []
        for slot in range(first_slot, first_slot + self.per_pulse):
            position = slot % count
            driver, items = order[position]
            times_before = slot // count  # how often this driver came up before this slot
            item_order = list(items)
            random.Random(f"{self.seed}:{driver}").shuffle(item_order)
            chosen.append(item_order[times_before % len(item_order)])
        return chosen


def rotation_for(seed: str, drivers: Sequence[tuple[str, Sequence[str]]], per_pulse: int) -> Rotation:
    return Rotation(seed=seed, drivers=tuple((d, tuple(items)) for d, items in drivers), per_pulse=per_pulse)
