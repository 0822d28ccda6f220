"""A sample cannot replace the tests' assertions with its own macros: `macro_rules!` names are scoped textually,
ahead of std's, so the problem's `assert_eq!`s are invoked by path (`program.std_macros`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sigil_eval.inputs.problemsets import problem_set_from_rows

from ..helpers import judge, problem, requires_firejail

ADD = problem(
    "M/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);\n        assert!(add(1, 1) == 2);"
)
LEN = problem("M/len", "fn count(xs: Vec<i64>) -> usize", "        assert_eq!(count(vec![1, 2, 3]), 3);")
WRONG = "fn add(a: i64, b: i64) -> i64 { a - b }\n"
ATTACKS = {
    "assert_eq": (
        "M/add",
        WRONG + "macro_rules! assert_eq { ($($t:tt)*) => {} }\nmacro_rules! assert { ($($t:tt)*) => {} }\n",
    ),
    "assert_only": (
        "M/add",
        "fn add(a: i64, b: i64) -> i64 { if a == 2 { 5 } else { 0 } }\nmacro_rules! assert { ($($t:tt)*) => {} }\n",
    ),
    "panic": ("M/add", WRONG + "macro_rules! panic { ($($t:tt)*) => {} }\n"),
    "vec": (
        "M/len",
        "fn count(xs: Vec<i64>) -> usize { xs.len() + 1 }\nmacro_rules! vec { ($($t:tt)*) => { Vec::new() } }\n",
    ),
}


@requires_firejail
@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_a_samples_macros_do_not_replace_the_tests_assertions(mode: str) -> None:
    problems = problem_set_from_rows([ADD, LEN], name="macros")
    samples = [{"task_id": task, "completion": code, "completion_id": name} for name, (task, code) in ATTACKS.items()]
    samples += [{"task_id": "M/add", "completion": "    a + b\n}\n", "completion_id": "honest"}]
    results = {str(r.completion_id): r for r in judge(samples, problems, mode=mode, workers=2, clippy="off")}
    assert results["honest"].passed
    assert {name: r.passed for name, r in results.items() if name != "honest"} == dict.fromkeys(ATTACKS, False)
    assert {r.error_type for name, r in results.items() if name != "honest"} <= {"assertion_failure", "compile_error"}


def test_the_attack_works_on_tests_that_name_macros_bare(tmp_path: Path) -> None:
    """The control: the same program with the tests as written (bare `assert_eq!`) passes under plain rustc."""
    rustc = shutil.which("rustc")
    assert rustc is not None
    source = tmp_path / "attack.rs"
    source.write_text(ATTACKS["assert_eq"][1] + ADD["test"])
    subprocess.run(
        [rustc, "--edition", "2021", "--test", str(source), "-o", str(tmp_path / "t")], check=True, capture_output=True
    )
    run = subprocess.run([str(tmp_path / "t")], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "1 passed" in run.stdout
