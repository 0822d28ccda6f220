"""HumanEval-Rust+ (`--tests plus`) on real HumanEval rows: inputs grown inside each problem's domain, expected
values from OpenAI's canonical solution in its own sandboxed process, the plus inputs file built reproducibly and
checked against our Rust references, and the verdicts: `passed` on base + plus, `base_passed` on base alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import msgspec
import pytest

from sigil_eval import Evaluator
from sigil_eval.datasets.humaneval.build import built_set_path, humaneval_rows, source_rows
from sigil_eval.datasets.humaneval.plus.build import plus_inputs
from sigil_eval.datasets.humaneval.plus.expected import expected_values
from sigil_eval.datasets.humaneval.plus.reduce import mini
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.records import Result

from ..helpers import cli, requires_firejail, shared, write_jsonl

# problems of every argument kind
KINDS = ("HumanEval/0", "HumanEval/12", "HumanEval/34", "HumanEval/70", "HumanEval/161")

# answers that special-case the tests they were shown (what a policy rewarded on the base tests learns): they pass
# HumanEval's own tests, and a plus input catches each
OVERFIT = {
    "HumanEval/35": "    if l.len() == 3 { 3 } else { 124 }\n}\n",
    "HumanEval/58": (
        "    match (l1.len(), l2.len()) {\n        (7, _) => vec![1, 5, 653],\n        (4, 2) => vec![2, 3],\n"
        "        (4, 3) => vec![2, 3, 4],\n        _ => vec![],\n    }\n}\n"
    ),
}


# answers with the subtle slips of mutants OpenAI's tests do not kill (a loop bound, an inclusive range)
SUBTLE = {
    "HumanEval/43": (
        "    for i in 0..l.len() {\n        for j in i + 2..l.len() {\n"
        "            if l[i] + l[j] == 0 {\n                return true;\n            }\n        }\n    }\n"
        "    false\n}\n"
    ),
    "HumanEval/163": (
        "    let low = a.min(b).max(2);\n    let high = a.max(b).min(8) + 1;\n"
        "    (low..=high).filter(|x| x % 2 == 0).collect()\n}\n"
    ),
}


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    return {row["task_id"]: row for row in humaneval_rows(source_rows()[1])}


def test_the_canonical_solution_runs_apart_with_a_work_limit(rows: dict[str, dict[str, Any]]) -> None:
    row = rows["HumanEval/39"]  # prime_fib: the 30th prime Fibonacci number is out of reach
    program = row["prompt"] + row["canonical_solution"]
    found = anyio.run(expected_values, program, row["entry_point"], [(5,), (30,), (1,)])
    assert [(e.result, e.failure) for e in found] == [(89, ""), (None, "too slow"), (2, "")]
    row = rows["HumanEval/16"]  # a string with a line break and a quote comes back as it went
    program = row["prompt"] + row["canonical_solution"]
    assert anyio.run(expected_values, program, row["entry_point"], [("a\nb'é",)])[0].result == 5


def test_plus_inputs_are_many_distinct_in_domain_and_the_same_every_build(rows: dict[str, dict[str, Any]]) -> None:
    for task_id in KINDS:
        first, again = anyio.run(plus_inputs, rows[task_id]), anyio.run(plus_inputs, rows[task_id])
        assert len(first.plus) >= 30, (task_id, first.dropped)
        assert first.row() == again.row()
        assert len({repr(item.args) for item in first.plus}) == len(first.plus)
        assert not {repr(item.args) for item in first.plus} & {repr(item.args) for item in first.base}
        row = first.row()
        assert anyio.run(mini, row, rows[task_id]) == anyio.run(mini, row, rows[task_id])  # the reduced suite too


def judge(samples: list[dict[str, Any]], problems: Any = None, **options: Any) -> tuple[list[Result], Evaluator]:
    async def run() -> tuple[list[Result], Evaluator]:
        async with Evaluator(problems, workers=2, clippy="off", reuse_verdicts=False, **options) as evaluator:
            return [r async for r in evaluator.results(samples)], evaluator

    return anyio.run(run)


@requires_firejail
def test_every_rust_reference_passes_plus() -> None:
    """(That two builds of the whole file are byte-identical is `bench/plus_build.py`: two more builds.)"""
    builtin = load_problem_set(built_set_path())
    samples = [{"task_id": t, "completion": p.canonical_solution} for t, p in builtin.problems.items()]
    results, evaluator = judge(samples, tests="plus")
    assert evaluator.plus is not None and evaluator.plus.problems >= 158
    assert [(r.task_id, r.result) for r in results if not (r.passed and r.base_passed is not False)] == []
    with_plus = [r for r in results if evaluator.problem_set.problems[r.task_id].plus_from is not None]
    assert len(with_plus) == evaluator.plus.problems and all(r.base_passed for r in with_plus)
    cases = [len(p.cases) - (p.plus_from or 0) for p in evaluator.problem_set.problems.values() if p.plus_from]
    assert sorted(cases)[len(cases) // 2] >= 30  # the median problem gains 30 or more inputs


@requires_firejail
def test_an_answer_that_fits_the_base_tests_fails_plus_and_says_which_input() -> None:
    samples = [{"task_id": t, "completion": c} for t, c in {**OVERFIT, **SUBTLE}.items()]
    base, _ = judge(samples)
    plus, _ = judge(samples, tests="plus")
    assert all(r.passed and r.base_passed is None for r in base), [r.result for r in base]
    for result in plus:
        assert (result.passed, result.base_passed, result.error_type) == (False, True, "assertion_failure")
        assert "the call with arguments" in result.result and "expected" in result.result


@requires_firejail
def test_plus_metrics_sit_beside_the_base_ones() -> None:
    samples = [{"task_id": t, "completion": c} for t, c in OVERFIT.items()]
    builtin = load_problem_set(built_set_path())
    samples += [{"task_id": t, "completion": builtin.problems[t].canonical_solution} for t in OVERFIT]

    async def run() -> Any:
        from sigil_eval import evaluate

        return await evaluate(samples, None, ks=[1], workers=2, clippy="off", tests="plus")

    report = anyio.run(run)
    assert report.pass_at_k == {"pass@1": 0.5} and report.base_pass_at_k == {"base_pass@1": 1.0}
    assert report.tests == "plus" and report.plus_problems >= 158 and report.plus_cases > 30 * 158
    assert report.per_problem["HumanEval/35"].base_passed == 2 and report.per_problem["HumanEval/35"].passed == 1
    assert json.loads(msgspec.json.encode(report))["base_pass_at_k"] == {"base_pass@1": 1.0}


@requires_firejail
def test_the_command_line_prints_both_and_the_report_lists_what_plus_caught(tmp_path: Path) -> None:
    builtin = load_problem_set(built_set_path())
    samples = [{"task_id": t, "completion": c} for t, c in OVERFIT.items()]
    samples += [{"task_id": t, "completion": builtin.problems[t].canonical_solution} for t in OVERFIT]
    path = write_jsonl(tmp_path / "samples.jsonl", samples)
    page = tmp_path / "page.html"
    run = cli(str(path), "--tests", "plus", "--k", "1", "--json", "--workers", "2", "--report", str(page))
    assert run.returncode == 0, run.stderr
    metrics = json.loads(run.stdout.splitlines()[-1])
    assert (metrics["pass@1"], metrics["base_pass@1"], metrics["tests"]) == (0.5, 1.0, "plus")
    assert "pass@1     0.5000   (base 1.0000)" in run.stderr
    results = [json.loads(line) for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()]
    assert sorted((r["passed"], r["base_passed"]) for r in results) == [(False, True)] * 2 + [(True, True)] * 2
    html = page.read_text()
    assert "base pass@1" in html and "Plus tests" in html and "HumanEval/58" in html.split("Plus tests", 1)[1]


@requires_firejail
def test_the_reduced_suite_is_small_and_still_catches_special_cased_answers() -> None:
    samples = [{"task_id": t, "completion": c} for t, c in OVERFIT.items()]
    results, evaluator = judge(samples, tests="plus-mini")
    plus_counts = [len(p.cases) - p.plus_from for p in evaluator.problem_set.problems.values() if p.plus_from]
    assert max(plus_counts) <= 12 and sorted(plus_counts)[len(plus_counts) // 2] >= 8
    assert [(r.passed, r.base_passed) for r in results] == [(False, True)] * len(OVERFIT)


@requires_firejail
def test_the_base_verdict_is_read_even_when_the_plus_values_overflow_the_cap() -> None:
    """Right on every base input of HumanEval/96, a 100,000-element list on the others: the values pass the cap."""
    body = (
        "    let primes: Vec<i64> = (2..n).filter(|&k| (2..k).all(|d| k % d != 0)).collect();\n"
        "    if [5, 6, 7, 10, 0, 22, 1, 18, 47, 101].contains(&n) { primes } else { vec![0; 100_000] }\n}\n"
    )
    [result], _ = judge([{"task_id": "HumanEval/96", "completion": body}], tests="plus")
    assert (result.passed, result.base_passed) == (False, True), result.result


# HumanEvalPack's (and HumanEval-X's) canonical solutions that plus shows wrong, each by its prompt's words:
PACK_WRONG = {
    "Rust/80": "is_happy checks s[i] against s[i-1] and s[i-2] from i = 2 only: 'cca' is happy to it",
    "Rust/90": "next_smallest removes one copy of the minimum: [12, 1, 1, 1] gives -1, not 12",
    "Rust/132": "is_nested checks contiguous nesting; the prompt asks for a nested subsequence",
    "Rust/135": "can_arrange compares arr[i] with i, not with arr[i-1]: [6, 3, 7] gives -1, not 1",
}


@requires_firejail
def test_humanevalpack_canonical_solutions_pass_plus_but_the_four_wrong_ones() -> None:
    path = shared("humanevalpack-rust/humanevalpack_rust.jsonl.gz")
    problems = load_problem_set(path).problems
    samples = [  # find_zero's tests draw random polynomials, on which its Newton iteration may not end
        {"task_id": t, "completion": p.canonical_solution} for t, p in problems.items() if "rand::" not in p.test
    ]
    results, evaluator = judge(samples, path, tests="plus")
    assert evaluator.plus is not None and evaluator.plus.problems >= 140
    assert {r.task_id for r in results if not r.passed} == set(PACK_WRONG)
    assert all(r.base_passed for r in results if r.task_id in PACK_WRONG)
