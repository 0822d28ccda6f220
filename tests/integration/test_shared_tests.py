"""A problem's tests compiled once per batch (`program.shared_tests`): what may share them, what may not, and the
differential proof that sharing never changes a verdict (batched with shared tests == isolated, field by field)."""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.engine.scheduling import _carve, fill_batches
from sigil_eval.inputs.problemsets import load_problem_set, problem_set_from_rows
from sigil_eval.program.assemble import assemble
from sigil_eval.program.shared_tests import shared_tests, shares
from sigil_eval.program.signatures import entry_pointer_type
from sigil_eval.records import AGREED_FIELDS
from sigil_eval.runner.batch.source import batch_module, shared_batch_module

from ..helpers import SHARED, judge, problem, requires_firejail
from ..helpers import shared as shared_data

ADD = problem(
    "T/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);\n        assert!(add(-1, 1) == 0);"
)
SUM = problem(
    "T/sum",
    "fn total(xs: &[i64]) -> i64",
    "        let v: Vec<i64> = vec![1, 2, 3];\n        assert_eq!(total(&v), 6);",
)
LONGEST = problem(
    "T/longest",
    "fn longest<'a>(x: &'a str, y: &'a str) -> &'a str",
    '        assert_eq!(longest("ab", "abc"), "abc");\n        assert_eq!(longest("xy", "z"), "xy");',
)
# the tests also call a helper the prompt defines
TWICE = {
    "task_id": "T/twice",
    "prompt": "fn double(x: i64) -> i64 {\n    x * 2\n}\n\nfn quadruple(x: i64) -> i64 {\n",
    "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
    "        assert_eq!(quadruple(3), double(double(3)));\n    }\n}\n",
    "entry_point": "quadruple",
}
# tests that name the entry point outside a test function: never shared
HELPED = {
    "task_id": "T/helped",
    "prompt": "fn inc(x: i64) -> i64 {\n",
    "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn via(x: i64) -> i64 { inc(x) }\n"
    "    #[test]\n    fn check() {\n        assert_eq!(via(1), 2);\n    }\n}\n",
    "entry_point": "inc",
}
GENERIC = problem(
    "T/generic", "fn largest<T: PartialOrd + Copy>(xs: &[T]) -> T", "        assert_eq!(largest(&[1, 3, 2]), 3);"
)
PROBLEMS = problem_set_from_rows(
    [ADD, SUM, LONGEST, TWICE, HELPED, GENERIC], name="shared-battery", tests_as_cases=False
)


def _problem(task_id: str) -> sigil_eval.Problem:
    return PROBLEMS.problems[task_id]


@pytest.mark.fast
@pytest.mark.parametrize(
    ("head", "pointer"),
    [
        ("fn add(a: i64, b: i64) -> i64", "fn(i64, i64) -> i64"),
        ("fn f(mut xs: Vec<(i32, String)>, k: usize)", "fn(Vec<(i32, String)>, usize)"),
        ("fn f<'a>(x: &'a str, y: &'a str) -> &'a str", "for<'a> fn(&'a str, &'a str) -> &'a str"),
        ("fn f(m: HashMap<String, Vec<i32>>) -> Option<i32>", "fn(HashMap<String, Vec<i32>>) -> Option<i32>"),
        ("fn f(numbers: &[i64]) -> (i64, i64)", "fn(&[i64]) -> (i64, i64)"),
        ("fn f(g: fn(i32) -> i32, x: i32) -> Vec<(i32, i32)>", "fn(fn(i32) -> i32, i32) -> Vec<(i32, i32)>"),
        ("fn f<T: Ord>(x: T) -> T", None),
        ("fn f<'a: 'b, 'b>(x: &'a str) -> &'b str", None),  # a bounded lifetime is early-bound
        ("fn f(x: impl Fn(i32) -> i32) -> i32", None),
        ("fn f(x: i32) -> impl Iterator<Item = i32>", None),
        ("fn f<T>(x: T) where T: Copy", None),
        ("fn f(self) -> i32", None),
        ("fn f(x: Value) -> bool", None),  # a type the prompt defines: the shared module's copy is another type
    ],
)
def test_the_entry_points_pointer_type(head: str, pointer: str | None) -> None:
    assert entry_pointer_type(head, "f" if "fn f" in head else "add", {"Value"}) == pointer


@pytest.mark.fast
def test_which_problems_share_their_tests() -> None:
    assert {t for t in PROBLEMS.problems if shared_tests(_problem(t))} == {"T/add", "T/sum", "T/longest", "T/twice"}
    built_in = load_problem_set(get_human_eval_dataset())
    unshared = sorted(t for t, p in built_in.problems.items() if shared_tests(p) is None)
    # the five whose signature names the prompt's own `Value` type
    assert unshared == ["HumanEval/125", "HumanEval/137", "HumanEval/22", "HumanEval/92", "HumanEval/95"]


@pytest.mark.fast
@pytest.mark.parametrize(
    ("completion", "shared"),
    [
        ("    a + b\n}\n", True),
        ("    let s = a + b;\n    s\n}\n\nfn helper() -> i32 { 1 }\n", True),  # a helper the tests do not name
        ("fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n", True),  # the whole function, the same signature
        ("pub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n", True),
        (
            "use std::collections::HashMap;\nuse std::cmp::max;\n"
            "fn add(a: i64, b: i64) -> i64 { max(a, b) + a.min(b) }\n",
            True,
        ),
        ("fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n", False),  # another signature: its own tests decide
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nmacro_rules! assert_eq { ($($t:tt)*) => {} }\n", False),
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nstruct Vec;\n", True),  # a name the tests do not use
        ("fn add(a: i64, b: i64) -> i64 { a + b }\ntrait Twice { fn twice(&self) -> i64; }\n", False),
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nuse std::fmt::Write;\n", False),  # a trait comes into scope
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nuse std::collections::*;\n", False),
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nuse rand::Rng;\n", False),
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nmod inner { pub fn x() {} }\n", False),
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nfn check() {}\n", False),  # a name the tests use
        ("    a + b\n}\nfn check() {}\n", False),  # after a body, at the top level too
        ("fn add(a: i64, b: i64) -> i64 { a + b }\nconst assert: i32 = 1;\n", True),  # their assert! is std's
        # after line breaks only Python sees (rustc counts lines by \n): the trait is still the completion's
        ("fn add(a: i64, b: i64) -> i64 { a + b }\x0c\x0c\u2028\ntrait Twice { fn twice(&self) -> i64; }\n", False),
    ],
)
def test_which_samples_may_run_the_shared_tests(completion: str, shared: bool) -> None:
    problem = _problem("T/add")
    found = shared_tests(problem)
    assert found is not None
    assert shares(found, assemble(problem, completion)) is shared


@pytest.mark.fast
def test_a_sample_redefining_a_helper_the_tests_call_keeps_its_own_tests() -> None:
    problem = _problem("T/twice")
    found = shared_tests(problem)
    assert found is not None and "double" in found.mentioned
    assert shares(found, assemble(problem, "    double(double(x))\n}\n"))
    assert not shares(found, assemble(problem, "    x * 4\n}\nfn double(x: i64) -> i64 { x }\n"))


@pytest.mark.fast
def test_a_shim_module_keeps_the_program_and_the_test_paths_of_its_own_module() -> None:
    problem = _problem("T/add")
    program = assemble(problem, "    a + b\n}\n")
    own = batch_module(program, "cfg_test", "sigil_0123456789abcdef")
    found = shared_tests(problem)
    assert own is not None and found is not None
    shim = shared_batch_module(program, own, found)
    assert shim.tests == own.tests == ("sigil_0123456789abcdef::tests::check",)
    assert shim.text[: program.test_start] == own.text[: program.test_start] == program.source[: program.test_start]
    assert f"crate::{found.module_name}::tests::check(add)" in shim.text
    assert "pub(crate) fn check(add: fn(i64, i64) -> i64)" in found.text


@pytest.mark.fast
def test_batches_are_carved_by_problem_oldest_first_then_the_largest_groups() -> None:
    pending = [(float(i), task) for i, task in enumerate("abcbcbcdd")]
    batch, rest = _carve(pending, 5, key=lambda task: task)
    assert batch == ["a", "b", "c", "b", "b"] and [task for _, task in rest] == ["c", "c", "d", "d"]
    batch, rest = _carve(pending, 5, key=None)
    assert batch == list("abcbc")


@pytest.mark.fast
def test_a_window_of_samples_groups_an_interleaved_stream_by_problem() -> None:
    started: list[list[str]] = []

    async def main() -> None:
        send, receive = anyio.create_memory_object_stream[str](100)

        async def start(batch: list[str]) -> None:
            started.append(batch)

        async with anyio.create_task_group() as group:
            group.start_soon(lambda: fill_batches(receive, 4, 5.0, start, window=12, key=lambda t: t))
            async with send:
                for _ in range(4):
                    for task in "abc":
                        await send.send(task)

    anyio.run(main)
    assert started == [["a"] * 4, ["b"] * 4, ["c"] * 4]


def _compare(
    samples: list[dict[str, Any]], problems: Any, *, workers: int = 2, **options: Any
) -> dict[str, sigil_eval.Result]:
    """Batched (with shared tests where they may be) against isolated, field by field."""
    batched = judge(samples, problems, mode="batched", workers=workers, reuse_verdicts=False, **options)
    isolated = judge(samples, problems, mode="isolated", workers=2, reuse_verdicts=False, **options)
    differ = [
        (b.task_id, b.completion_id, f, getattr(b, f), getattr(i, f))
        for b, i in zip(batched, isolated, strict=True)
        for f in AGREED_FIELDS
        if getattr(b, f) != getattr(i, f)
    ]
    assert not differ, differ
    return {str(r.completion_id): r for r in batched}


BATTERY: dict[str, tuple[str, str, bool | None]] = {
    # name: (task, completion, shared?) — None: shared or not, as the batch goes; the verdict is what counts
    "add_body": ("T/add", "    a + b\n}\n", True),
    "add_body_commented": ("T/add", "    // sum\n    a + b\n}\n", True),
    "add_wrong": ("T/add", "    a - b\n}\n", True),
    "add_panics": ("T/add", '    panic!("no")\n}\n', True),
    "add_full": ("T/add", "```rust\nfn add(a: i64, b: i64) -> i64 {\n    b + a\n}\n```\n", True),
    "add_compile_error": ("T/add", "    a + \n}\n", None),
    "add_type_error": ("T/add", '    "five"\n}\n', True),
    "add_other_signature": ("T/add", "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n", False),
    "add_generic": ("T/add", "fn add<T: std::ops::Add<Output = T>>(a: T, b: T) -> T {\n    a + b\n}\n", False),
    "add_fake_assert_eq": (
        "T/add",
        "fn add(a: i64, b: i64) -> i64 { a - b }\nmacro_rules! assert_eq { ($($t:tt)*) => {} }\n",
        False,
    ),
    "add_trait_in_scope": (
        "T/add",
        "fn add(a: i64, b: i64) -> i64 { a + b }\ntrait Sneaky { fn eq(&self, o: &i64) -> bool; }\n"
        "impl Sneaky for i64 { fn eq(&self, _: &i64) -> bool { true } }\n",
        False,
    ),
    "add_glob": ("T/add", "use std::collections::*;\nfn add(a: i64, b: i64) -> i64 { a + b }\n", False),
    "add_async": ("T/add", "async fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n", False),
    "sum_body": ("T/sum", "    xs.iter().sum()\n}\n", True),
    "sum_loop": ("T/sum", "    let mut t = 0;\n    for x in xs { t += x; }\n    t\n}\n", True),
    "sum_shadows_vec": ("T/sum", "    xs.iter().sum()\n}\nstruct Vec<T>(T);\n", False),
    "sum_vec_param": ("T/sum", "fn total(xs: Vec<i64>) -> i64 {\n    xs.iter().sum()\n}\n", False),
    "sum_off": ("T/sum", "    xs.iter().sum::<i64>() + 1\n}\n", True),
    "longest_body": ("T/longest", "    if y.len() > x.len() { y } else { x }\n}\n", True),
    "longest_wrong": ("T/longest", "    x\n}\n", True),
    "twice_body": ("T/twice", "    double(double(x))\n}\n", True),
    "twice_times4": ("T/twice", "    x * 4\n}\n", True),
    "twice_redefines_double": ("T/twice", "    x * 4\n}\nfn double(x: i64) -> i64 { x }\n", False),
    "helped_a": ("T/helped", "    x + 1\n}\n", False),
    "helped_b": ("T/helped", "    x + 2\n}\n", False),
    "generic_a": ("T/generic", "    *xs.iter().fold(&xs[0], |m, x| if x > m { x } else { m })\n}\n", False),
    "generic_b": ("T/generic", "    xs[0]\n}\n", False),
}


@requires_firejail
def test_shared_tests_give_the_isolated_verdict_and_share_only_what_they_may() -> None:
    samples = [
        {"task_id": task, "completion": code, "completion_id": name} for name, (task, code, _) in BATTERY.items()
    ]
    # one worker: one batch, so every problem's samples meet (with two, batches are split evenly across workers
    # and a problem's samples may straddle two)
    results = _compare(samples, PROBLEMS, workers=1, clippy="advisory", timeout=5)
    for name, (_, _, shared) in BATTERY.items():
        if shared is not None:
            assert (results[name].judged_by == SHARED) is shared, (name, results[name].judged_by)
    assert results["add_fake_assert_eq"].error_type == "assertion_failure"  # the tests' assert_eq! is std's
    assert not results["add_wrong"].passed and results["add_body"].passed and results["twice_body"].passed
    assert results["add_wrong"].error_type == "assertion_failure"


@requires_firejail
def test_a_failing_shared_test_reports_the_line_of_the_samples_own_program() -> None:
    samples = [
        {"task_id": "T/add", "completion": c, "completion_id": i} for i, c in enumerate(["    a\n}\n", "    b\n}\n"])
    ]
    batched = judge(samples, PROBLEMS, mode="batched", workers=1, clippy="off", reuse_verdicts=False)  # one batch
    isolated = judge(samples, PROBLEMS, mode="isolated", workers=1, clippy="off", reuse_verdicts=False)
    for shared, alone in zip(batched, isolated, strict=True):
        assert shared.judged_by == SHARED
        where = re.findall(r"src\.rs:\d+:", alone.stderr)
        assert where and re.findall(r"src\.rs:\d+:", shared.stderr) == where, (shared.stderr, alone.stderr)


@requires_firejail
def test_the_shared_tests_of_the_built_in_set_give_the_isolated_verdicts() -> None:
    """Every twelfth problem of the built-in set (all of them, 20 samples each, in `bench/shared_tests.py`), each
    with its reference body, a harmless variation, the whole function, and two mutants: shared where they may
    be, verdicts as alone."""
    problems = load_problem_set(get_human_eval_dataset())
    samples = []
    for task, p in sorted(problems.problems.items())[::12]:
        body = p.canonical_solution or ""
        signature = p.code_prefix.strip().splitlines()[-1]
        for kind, code in (
            ("reference", body),
            ("commented", f"    // mine\n{body}"),
            ("full", f"```rust\n{signature}\n{body}```\n"),
            ("todo", "    todo!()\n}\n"),
            ("off_by_one", body.replace("1", "2", 1)),
        ):
            samples.append({"task_id": task, "completion": code, "completion_id": f"{task}:{kind}"})
    results = _compare(samples, problems, clippy="advisory", timeout=5)
    shared = sum(r.judged_by == SHARED for r in results.values())
    assert shared >= 0.8 * len(samples)  # all but a `Value` problem or two
    assert all(r.passed for name, r in results.items() if name.endswith((":reference", ":commented", ":full")))


# MultiPL-E's MBPP-rs: `fn main` tests (`let candidate = f; assert_eq!(candidate(…), …);`), no reference solutions
MBPP_CORRECT = {
    "mbpp_234_volume_cube": "    l * l * l\n}\n",
    "mbpp_89_closest_num": "    N - 1\n}\n",
    "mbpp_77_is_Diff": "    n % 11 == 0\n}\n",
    "mbpp_420_cube_Sum": "    (1..=n).map(|i| 8 * i * i * i).sum()\n}\n",
}


@requires_firejail
def test_fn_main_tests_are_shared_and_give_the_isolated_verdicts() -> None:
    """Every 36th MBPP-rs problem and the four above (all of them: `bench/shared_tests.py --public`), each with
    answers that pass, panic, exit early with 0 (the tests' main never finishes), fail an assertion, do not
    compile, or bring the whole function: shared where they may be, verdicts as alone, and a failing
    assertion's line as alone."""
    problems = load_problem_set(shared_data("multipl-e-rust/mbpp-rs.jsonl.gz"), tests_as_cases=False)
    chosen = sorted({*list(problems.problems)[::36], *MBPP_CORRECT})
    samples = []
    for task in chosen:
        signature = problems.problems[task].code_prefix.strip().splitlines()[-1]
        answers = {
            "todo": "    todo!()\n}\n",
            "exit": "    std::process::exit(0)\n}\n",
            "default": "    Default::default()\n}\n",
            "type_error": '    let _x: u8 = "no";\n    unreachable!()\n}\n',
            "full": f"```rust\n{signature}\n    todo!()\n}}\n```\n",
        }
        if task in MBPP_CORRECT:
            answers |= {"correct": MBPP_CORRECT[task], "correct_full": f"{signature}\n{MBPP_CORRECT[task]}"}
        samples += [{"task_id": task, "completion": c, "completion_id": f"{task}:{k}"} for k, c in answers.items()]
    batched = judge(samples, problems, mode="batched", workers=2, clippy="advisory", timeout=5)
    isolated = judge(samples, problems, mode="isolated", workers=2, clippy="advisory", timeout=5)
    for b, i in zip(batched, isolated, strict=True):
        assert [getattr(b, f) for f in AGREED_FIELDS] == [getattr(i, f) for f in AGREED_FIELDS], b.completion_id
        if b.error_type == "assertion_failure":
            assert re.findall(r"src\.rs:\d+:", b.stderr) == re.findall(r"src\.rs:\d+:", i.stderr), b.completion_id
    results = {str(r.completion_id): r for r in batched}
    assert all(results[f"{task}:correct"].passed for task in MBPP_CORRECT)
    assert results["mbpp_234_volume_cube:exit"].error_type == "early_exit"
    shared = [r for r in batched if r.judged_by == SHARED]
    assert len(shared) >= 0.6 * len(samples) and any(r.passed for r in shared)
