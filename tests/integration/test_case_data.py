"""Arguments as data (`program.case_data`, `oracle.rs`'s `Data`): every value a plus input can hold reaches the
entry point exactly, in a batch and alone; a wrong value on a data case fails with that case named."""

from __future__ import annotations

from typing import Any

import pytest

from ..helpers import judge, requires_firejail

TRICKY_STRINGS = ["", 'q"uote', "back\\slash", "line\nbreak\ttab\r", "\x00\x1f", "é ü 中文", "🦀 astral", 'r#"raw"#']

# (signature, the arguments of each case): the entry point returns what it was given, in its result type
IDENTITIES: list[tuple[str, str, list[list[Any]]]] = [
    ("fn f(s: &str) -> String", "s.to_string()", [[s] for s in TRICKY_STRINGS]),
    ("fn f(x: i64) -> i64", "x", [[0], [-(1 << 63)], [(1 << 63) - 1], [-1]]),
    ("fn f(x: u64, y: i32) -> (u64, i32)", "(x, y)", [[(1 << 64) - 1, -(1 << 31)], [0, (1 << 31) - 1]]),
    ("fn f(x: f64) -> f64", "x", [[0.1 + 0.2], [-0.0], [1e-300], [1e16], [-2.5e-8]]),
    ("fn f(xs: &[f32]) -> Vec<f32>", "xs.to_vec()", [[[1.5, -0.25]], [[]]]),
    ("fn f(c: char, b: bool) -> (char, bool)", "(c, b)", [["🦀", True], ['"', False]]),
    ("fn f(v: Vec<Vec<i64>>) -> Vec<Vec<i64>>", "v", [[[[1, 2], [], [-3]]], [[]]]),
    ("fn f(words: &[&str]) -> Vec<String>", "words.iter().map(|w| w.to_string()).collect()", [[["a", "", "é"]]]),
    ("fn f(o: Option<String>) -> Option<String>", "o", [[None], ["x"]]),
    ("fn f(t: (i64, String, f64)) -> (i64, String, f64)", "t", [[[1, "a,b]", 2.5]]]),
    ("fn f(m: HashMap<String, i64>) -> HashMap<String, i64>", "m", [[[["k", 1], ["l", -2]]], [[]]]),
    ("fn f(v: &mut Vec<i64>) -> Vec<i64>", "v.push(9);\n    v.clone()", [[[1]]]),
]


def rows() -> list[dict[str, Any]]:
    found = []
    for number, (signature, body, cases) in enumerate(IDENTITIES):
        result = signature.rsplit("-> ", 1)[1]
        expected = [args[0] if len(args) == 1 else list(args) for args in cases]
        if "push" in body:
            expected = [args[0] + [9] for args in cases]
        found.append(
            {
                "task_id": f"data/{number}",
                "prompt": "use std::collections::HashMap;\n" + signature + " {\n",
                "entry_point": "f",
                "test": "",
                "canonical_solution": f"    {body}\n}}\n",
                "result_type": result,
                "cases": [{"args": args, "expected": e} for args, e in zip(cases, expected, strict=True)],
            }
        )
    return found


@requires_firejail
@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_every_kind_of_value_reaches_the_entry_point_exactly(mode: str) -> None:
    problems = {row["task_id"]: row for row in rows()}
    samples = [{"task_id": t, "completion": row["canonical_solution"]} for t, row in problems.items()]
    results = judge(samples * 2, problems, mode=mode, clippy="off", reuse_verdicts=False)
    assert [(r.task_id, r.result) for r in results if not r.passed] == []
    assert all(r.oracle_proof for r in results)


@requires_firejail
def test_a_wrong_value_on_a_data_case_fails_naming_the_case() -> None:
    problems = {"data/0": rows()[1] | {"task_id": "data/0"}}
    wrong = "    if x == -1 { 0 } else { x }\n}\n"  # right on every case but the last
    [result] = judge([{"task_id": "data/0", "completion": wrong}], problems, clippy="off", reuse_verdicts=False)
    assert not result.passed and result.error_type == "assertion_failure"
    assert "case 3: the call with arguments -1 returned 0, expected -1" in result.result


@requires_firejail
def test_a_sample_cannot_turn_the_data_loop_and_its_own_number_types_compile_as_with_calls() -> None:
    problems = {
        "data/n": {
            "task_id": "data/n",
            "prompt": "fn f(x: i64, xs: &[i64]) -> i64 {\n",
            "entry_point": "f",
            "test": "",
            "result_type": "i64",
            "cases": [{"call": "f(1, &[2])", "expected": 3}, {"args": [4, [5, 6]], "expected": 15}],
        }
    }
    body = "    x + xs.iter().sum::<i64>()\n}\n"
    # a blanket trait whose methods share the loop's names: the loop calls its own by path
    hijack = body + (
        "trait Probe { fn next_case(&self) -> bool { false } fn end_case(&self) {} }\nimpl<T> Probe for T {}\n"
    )
    # the whole function with narrower number types: the literal calls infer them, and so does the data loop
    narrower = (
        "fn f(x: i32, xs: &[i32]) -> i64 {\n    i64::from(x) + xs.iter().map(|&v| i64::from(v)).sum::<i64>()\n}\n"
    )
    samples = [{"task_id": "data/n", "completion": c} for c in (body, hijack, narrower)]
    results = judge(samples, problems, clippy="off", reuse_verdicts=False)
    assert [(r.passed, r.result) for r in results] == [(True, results[0].result)] * 3
