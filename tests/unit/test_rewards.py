"""Reward values (`rewards.reward_of`): pass, pass with compile credit, and the fraction of cases passed."""

from __future__ import annotations

import pytest

from sigil_eval.records import Result
from sigil_eval.rewards import reward_of


def result(passed: bool, compile_ok: bool, cases: tuple[int, int] | None = None) -> Result:
    right, total = cases if cases else (None, None)
    return Result(
        task_id="t",
        completion="",
        sample_index=0,
        passed=passed,
        compile_ok=compile_ok,
        cases_passed=right,
        cases_total=total,
    )


@pytest.mark.parametrize(
    ("judged", "credit", "mode", "reward"),
    [
        (result(True, True, (10, 10)), 0.0, "pass", 1.0),
        (result(False, True, (7, 10)), 0.0, "pass", 0.0),
        (result(False, True, (7, 10)), 0.25, "pass", 0.25),
        (result(False, False), 0.25, "pass", 0.0),
        (result(False, True, (7, 10)), 0.0, "fraction", 0.7),
        (result(False, True, (7, 10)), 0.25, "fraction", 0.7),  # compile credit is pass mode's
        (result(False, False, (0, 10)), 0.25, "fraction", 0.0),
        (result(True, True), 0.0, "fraction", 1.0),  # tests that are not cases: as pass
        (result(False, True), 0.5, "fraction", 0.0),
    ],
)
def test_each_reward_mode(judged: Result, credit: float, mode: str, reward: float) -> None:
    assert reward_of(judged, credit, mode) == pytest.approx(reward)  # type: ignore[arg-type]
