"""HumanEval-Rust+ (issue 25, in progress) on real HumanEval rows: inputs grown inside each problem's domain,
expected values from OpenAI's canonical solution in its own sandboxed process, and the built-in set's Rust
reference checked against them (`dataset check` of a plus set: a disagreement is a defect, named by its case)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import anyio
import pytest

from sigil_eval.datasets.check import check_problem_set
from sigil_eval.datasets.humaneval.build import build_row, reference_solutions, source_rows
from sigil_eval.datasets.humaneval.plus.build import plus_inputs
from sigil_eval.datasets.humaneval.plus.expected import expected_values
from sigil_eval.datasets.humaneval.signatures import SPECS
from sigil_eval.inputs.problemsets import problem_set_from_rows

from ..helpers import requires_firejail

# problems of every argument kind whose Rust reference agrees with the canonical solution on the grown inputs
AGREEING = ("HumanEval/0", "HumanEval/12", "HumanEval/34", "HumanEval/70", "HumanEval/161")


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    _, source = source_rows()
    return {row["task_id"]: row for row in map(json.loads, gzip.decompress(source).decode().splitlines())}


def test_the_canonical_solution_runs_apart_with_a_time_limit(rows: dict[str, dict[str, Any]]) -> None:
    row = rows["HumanEval/39"]  # prime_fib: the 30th prime Fibonacci number is out of reach
    found = expected_values(row["prompt"] + row["canonical_solution"], row["entry_point"], [(5,), (30,), (1,)])
    assert [(e.result, e.failure) for e in found] == [(89, ""), (None, "timeout"), (2, "")]
    row = rows["HumanEval/16"]  # a string with a line break and a quote comes back as it went
    assert expected_values(row["prompt"] + row["canonical_solution"], row["entry_point"], [("a\nb'é",)])[0].result == 5


def test_plus_inputs_are_many_distinct_in_domain_and_the_same_every_build(rows: dict[str, dict[str, Any]]) -> None:
    for task_id in AGREEING:
        first, again = plus_inputs(rows[task_id]), plus_inputs(rows[task_id])
        assert len(first.calls) >= 30, (task_id, first.dropped)
        assert first.calls == again.calls
        assert len({repr(call.args) for call in first.calls}) == len(first.calls)


@requires_firejail
def test_the_rust_reference_passes_plus_and_trivial_bodies_fail(rows: dict[str, dict[str, Any]]) -> None:
    solutions = reference_solutions()
    plus = {}
    for task_id in AGREEING:
        spec = SPECS[int(task_id.split("/")[1])]
        plus[task_id] = build_row(rows[task_id], spec, solutions[task_id], extra_calls=plus_inputs(rows[task_id]).calls)
    defects, checked = anyio.run(lambda: check_problem_set(problem_set_from_rows(plus), workers=2, clippy="off"))
    assert checked == len(AGREEING) and defects == []
    assert all(len(row["cases"]) >= 30 for row in plus.values())


@requires_firejail
def test_a_disagreement_is_a_defect_named_by_its_case(rows: dict[str, dict[str, Any]]) -> None:
    """HumanEval/97: Python's `-1 % 10` is 9, Rust's is -1; the reference (`.abs() % 10`) and the canonical
    solution disagree on negative inputs, and the check names the case."""
    row = rows["HumanEval/97"]
    spec = SPECS[97]
    # a negative argument whose last digit differs by sign: (a.abs() % 10) != abs(a % 10)
    calls = [c for c in plus_inputs(row).calls if any(arg < 0 and arg % 10 != 5 and arg % 10 for arg in c.args)][:1]
    assert calls, "the domain of multiply(a, b) holds negative inputs"
    grown = build_row(row, spec, reference_solutions()["HumanEval/97"], extra_calls=calls)
    defects, _ = anyio.run(lambda: check_problem_set(problem_set_from_rows({"HumanEval/97": grown}), clippy="off"))
    assert [d.task_id for d in defects] == ["HumanEval/97"]
    assert "multiply(" in defects[0].detail and "case" in defects[0].detail
