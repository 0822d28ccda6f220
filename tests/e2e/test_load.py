"""Budgets are CPU time first: a machine busy on every core gives the same verdicts as an idle one."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from sigil_eval.inputs.problemsets import load_problem_set

from ..helpers import judge, requires_firejail, shared

pytestmark = [requires_firejail, pytest.mark.slow]


@pytest.fixture
def cpu_hogs() -> Iterator[None]:
    hogs = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(os.cpu_count() or 2)]
    yield
    for hog in hogs:
        hog.kill()
        hog.wait()


@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_canonical_verdicts_hold_on_a_loaded_machine(cpu_hogs: None, mode: str) -> None:
    problems = load_problem_set(shared("humanevalpack-rust/humanevalpack_rust.jsonl.gz"))
    chosen = sorted(problems.problems)[:30] if mode == "isolated" else sorted(problems.problems)
    samples = [{"task_id": t, "completion": problems.problems[t].canonical_solution} for t in chosen]
    results = judge(samples, problems, mode=mode, workers=2, clippy="off")
    failed = {
        r.task_id: r.error_type for r in results if not r.passed and "rand::" not in problems.problems[r.task_id].test
    }
    assert failed == {}
