"""Two runs on the same problems, paired problem by problem: the difference in pass@1 with its interval and a
paired bootstrap test, McNemar's exact test on which problems each run solves, and the problems that moved."""

from __future__ import annotations

from dataclasses import dataclass

from sigil_eval.report.runs import Run
from sigil_eval.report.statistics import PairedDifference, mcnemar_exact, paired_bootstrap


@dataclass(frozen=True, slots=True)
class Move:
    task_id: str
    base_rate: float
    other_rate: float

    @property
    def change(self) -> float:
        return self.other_rate - self.base_rate


@dataclass(frozen=True, slots=True)
class Comparison:
    base: Run
    other: Run
    shared: list[str]  # problems both runs judged, in the base run's order
    only_base: list[str]  # problems only one run judged (left out of every paired figure)
    only_other: list[str]
    pass_at_1: PairedDifference  # other − base, over the shared problems
    # a problem is solved when at least one of its samples passes (with one sample each: passes)
    solved_by_base_only: list[Move]
    solved_by_other_only: list[Move]
    mcnemar_p: float
    moves: list[Move]  # every shared problem whose pass rate changed, biggest gains first

    @property
    def gains(self) -> list[Move]:
        return [m for m in self.moves if m.change > 0]

    @property
    def losses(self) -> list[Move]:
        return sorted((m for m in self.moves if m.change < 0), key=lambda m: (m.change, m.task_id))


def compare(base: Run, other: Run, *, seed: int = 0) -> Comparison:
    """Pair `other` with `base` on the problems both judged. Raises ValueError when they share none."""
    other_ids = set(other.task_ids)
    shared = [t for t in base.task_ids if t in other_ids]
    if not shared:
        raise ValueError(f"{base.label} and {other.label} judged no problem in common")
    base_ids = set(base.task_ids)
    base_n, base_c = base.counts(shared)
    other_n, other_c = other.counts(shared)
    difference = paired_bootstrap(base_c / base_n, other_c / other_n, seed=seed)
    moves = [
        Move(task_id, base.pass_rate(task_id), other.pass_rate(task_id))
        for task_id in shared
        if base.pass_rate(task_id) != other.pass_rate(task_id)
    ]
    moves.sort(key=lambda m: (-m.change, m.task_id))
    solved = {task_id: (bool(b > 0), bool(o > 0)) for task_id, b, o in zip(shared, base_c, other_c, strict=True)}
    by_base_only = [m for m in moves if solved[m.task_id] == (True, False)]
    by_other_only = [m for m in moves if solved[m.task_id] == (False, True)]
    return Comparison(
        base=base,
        other=other,
        shared=shared,
        only_base=[t for t in base.task_ids if t not in other_ids],
        only_other=[t for t in other.task_ids if t not in base_ids],
        pass_at_1=difference,
        solved_by_base_only=sorted(by_base_only, key=lambda m: m.task_id),
        solved_by_other_only=sorted(by_other_only, key=lambda m: m.task_id),
        mcnemar_p=mcnemar_exact(len(by_base_only), len(by_other_only)),
        moves=moves,
    )
