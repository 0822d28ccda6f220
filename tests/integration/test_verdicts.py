"""One sample per error type and per runtime pathology, judged by the real toolchain in the real sandbox,
in both modes: every case must get the same verdict batched and isolated."""

from __future__ import annotations

import resource
from typing import Any

import pytest

import sigil_eval
from sigil_eval.records import AGREED_FIELDS

from ..helpers import TIMED_OUT_IN_BATCH, judge, judged_alone, problem, requires_firejail

PROBLEMS = {
    "V/add": problem("V/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);"),
    "V/main": problem(
        "V/main",
        "fn add(a: i64, b: i64) -> i64",
        "    let candidate = add;\n    assert_eq!(candidate(2, 3), 5);",
        main_style=True,
    ),
}
BLOWUP = (
    "    macro_rules! blow { () => {}; ($x:tt $($rest:tt)*) => { blow!($($rest)*); blow!($($rest)*); }; }\n"
    "    blow!(a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f);\n    a + b\n}\n"
)
FORGE = (
    "    use std::io::Write;\n"
    '    let _ = std::io::stdout().write_all(b"\\ntest tests::check ... ok\\n\\ntest result: ok. 1 passed; 0 failed; '
    '0 ignored; 0 measured; 0 filtered out\\n");\n'
    "    let _ = std::io::stdout().flush();\n    std::process::exit(0)\n}\n"
)
CASES: dict[str, tuple[str, str, bool, str | None]] = {
    # name: (task, completion, passed, error_type)
    "body": ("V/add", "    a + b\n}\n", True, None),
    "markdown_full_function": (
        "V/add",
        "Here you go:\n```rust\nuse std::ops::Add;\n\nfn add(a: i64, b: i64) -> i64 {\n"
        '    a.add(b)\n}\n\nfn main() {\n    println!("{}", add(1, 2));\n}\n```\n',
        True,
        None,
    ),
    "wrong_answer": ("V/add", "    a - b\n}\n", False, "assertion_failure"),
    "panic": ("V/add", '    panic!("no")\n}\n', False, "assertion_failure"),
    "compile_error": ("V/add", '    a + "x"\n}\n', False, "compile_error"),
    "compile_timeout": ("V/add", BLOWUP, False, "compile_timeout"),
    "infinite_loop": ("V/add", "    loop {}\n}\n", False, "test_timeout"),
    "sleep": (
        "V/add",
        "    std::thread::sleep(std::time::Duration::from_secs(120));\n    a + b\n}\n",
        False,
        "test_timeout",
    ),
    "stack_overflow": (
        "V/add",
        "    fn down(n: u64) -> u64 { if n == 0 { 0 } else { 1 + down(n - 1) } }\n"
        "    down(u64::MAX) as i64 + a + b\n}\n",
        False,
        "runtime_error",
    ),
    "abort": ("V/add", "    std::process::abort()\n}\n", False, "runtime_error"),
    "early_exit_zero": ("V/add", "    std::process::exit(0)\n}\n", False, "early_exit"),
    "forged_summary": ("V/add", FORGE, False, "early_exit"),
    "main_pass": ("V/main", "    a + b\n}\n", True, None),
    "main_wrong": ("V/main", "    a * b\n}\n", False, "assertion_failure"),
    "main_early_exit_zero": ("V/main", "    std::process::exit(0)\n}\n", False, "early_exit"),
    "main_abort": ("V/main", "    std::process::abort()\n}\n", False, "runtime_error"),
    # V/add's tests are cases: the wrong value it returned is the verdict, whatever its panic hook does after
    # (in process, the failed assert's panic ran the hook and the run ended as an early exit)
    "panic_hook_exit_zero": (
        "V/add",
        "    std::panic::set_hook(Box::new(|_| std::process::exit(0)));\n    a - b\n}\n",
        False,
        "assertion_failure",
    ),
    "panic_hook_silenced": (
        "V/add",
        "    std::panic::set_hook(Box::new(|_| {}));\n    a * b\n}\n",
        False,
        "assertion_failure",
    ),
    "output_flood": (
        "V/add",
        '    for i in 0..200_000 { println!("line {i}"); eprintln!("err {i}"); }\n    a + b\n}\n',
        True,
        None,
    ),
    "own_test_attribute": ("V/add", "    a + b\n}\n#[test]\nfn own() { assert_eq!(add(1, 1), 2); }\n", True, None),
    # only the problem's tests run (the harness runs them, alone too): a sample's own `#[test]` is not among them
    "own_test_exits": ("V/add", "    a + b\n}\n#[test]\nfn sneaky() { std::process::exit(0); }\n", True, None),
    "crate_path": ("V/add", "    crate::helper(a) + b\n}\nfn helper(x: i64) -> i64 { x }\n", True, None),
    "super_path": ("V/add", "    a + b\n}\nmod inner { pub fn f() -> i64 { super::add(1, 1) } }\n", True, None),
    "module_path": ("V/add", '    assert_eq!(module_path!(), "sample");\n    a + b\n}\n', True, None),
    "syntax_error": ("V/add", "    let x = ;\n    a + b\n}\n", False, "compile_error"),
    "unterminated_string": ("V/add", '    let s = "oops;\n    a + b\n}\n', False, "compile_error"),
    "deny_lint_error": ("V/add", "    let x: u8 = 255 + 1;\n    a + b + x as i64\n}\n", False, "compile_error"),
    "thread_bomb": (
        "V/add",
        "    let hs: Vec<_> = (0..500).filter_map(|_| std::thread::Builder::new()"
        ".spawn(|| std::thread::sleep(std::time::Duration::from_secs(5))).ok()).collect();\n"
        "    assert!(hs.len() < 500);\n    a + b\n}\n",
        True,
        None,
    ),
}
MODES = ("batched", "isolated")


@pytest.fixture(scope="module")
def both_modes() -> dict[str, dict[str, sigil_eval.Result]]:
    samples = [
        {"task_id": task, "completion": code, "completion_id": name} for name, (task, code, _, _) in CASES.items()
    ]
    runs = {}
    for mode in MODES:
        results = judge(samples, PROBLEMS, workers=2, compile_timeout=3, run_timeout=2, clippy="off", mode=mode)
        runs[mode] = {str(r.completion_id): r for r in results}
    return runs


@pytest.fixture(scope="module", params=MODES)
def verdicts(request: pytest.FixtureRequest, both_modes: dict[str, dict[str, sigil_eval.Result]]) -> dict[str, Any]:
    return both_modes[request.param]


@requires_firejail
@pytest.mark.parametrize("name", list(CASES))
def test_error_type(verdicts: dict[str, sigil_eval.Result], name: str) -> None:
    _, _, passed, error_type = CASES[name]
    result = verdicts[name]
    assert (result.passed, result.error_type) == (passed, error_type), result.result + "\n" + result.stderr[-2000:]
    assert result.test_ok is (passed if result.compile_ok else None)
    if passed:
        assert result.result == "passed" and result.compile_ok and result.binary_size_bytes
    elif error_type in ("compile_timeout", "test_timeout"):
        assert result.result == "timed out"
    else:
        assert result.result.startswith(f"failed: {error_type}")


@requires_firejail
def test_batched_equals_isolated_field_by_field(both_modes: dict[str, dict[str, sigil_eval.Result]]) -> None:
    for name in CASES:
        batched, isolated = both_modes["batched"][name], both_modes["isolated"][name]
        assert [getattr(batched, f) for f in AGREED_FIELDS] == [getattr(isolated, f) for f in AGREED_FIELDS], name


# the pathologies the batched half must not judge in a batch, and why; every other case reaches the batch harness
ALONE_IN_BATCHED_MODE = {
    "compile_timeout": TIMED_OUT_IN_BATCH,
    "own_test_attribute": "isolated: own test attribute",
    "own_test_exits": "isolated: own test attribute",
    "crate_path": "isolated: crate-relative path",
    "super_path": "isolated: super path",
    "module_path": "isolated: module or file path",
}


@requires_firejail
def test_the_batched_half_is_judged_by_the_batch_harness(
    both_modes: dict[str, dict[str, sigil_eval.Result]],
) -> None:
    """The blow-up is bisected down to a few members, so (almost all) its neighbours are still judged in batches."""
    assert judged_alone(both_modes["batched"], "compile_timeout") == ALONE_IN_BATCHED_MODE
    assert {r.judged_by for r in both_modes["isolated"].values()} == {"isolated"}


@requires_firejail
def test_compile_error_keeps_rustc_diagnostics(verdicts: dict[str, sigil_eval.Result]) -> None:
    result = verdicts["compile_error"]
    assert result.compile_ok is False and "error[E0277]" in result.stderr


def test_main_free_follows_the_raw_completion(verdicts: dict[str, Any]) -> None:
    assert verdicts["markdown_full_function"].main_free is False
    assert verdicts["body"].main_free is True


def clippy_case(clippy: str) -> sigil_eval.Result:
    lint = (
        "    let v = vec![a, b];\n    let mut total = 0;\n"
        "    for i in 0..v.len() {\n        total += v[i];\n    }\n    total\n}\n"
    )
    (result,) = judge([{"task_id": "V/add", "completion": lint}], PROBLEMS, clippy=clippy, workers=1)
    return result


@requires_firejail
def test_clippy_advisory_reports_lints_but_passes() -> None:
    result = clippy_case("advisory")
    assert result.passed and result.clippy_ok is False


@requires_firejail
def test_clippy_required_fails_with_lint_failure() -> None:
    result = clippy_case("required")
    assert not result.passed and result.error_type == "lint_failure" and result.test_ok is True


@requires_firejail
def test_clippy_counts_only_the_completions_lines() -> None:
    (clean,) = judge([{"task_id": "V/add", "completion": "    a + b\n}\n"}], PROBLEMS, clippy="required", workers=1)
    assert clean.passed and clean.clippy_ok is True  # the tests' own `assert_eq!(…, true)`-style code is not counted


@requires_firejail
def test_policy_refuses_denied_apis_only_in_code() -> None:
    samples = [
        {"task_id": "V/add", "completion": '    let _ = std::process::Command::new("true");\n    a + b\n}\n'},
        {
            "task_id": "V/add",
            "completion": '    // std::process is mentioned, not used\n    let _s = "std::fs";\n'
            "    let (mut x, mut y) = (a, b);\n    std::mem::swap(&mut x, &mut y);\n    x + y\n}\n",
        },
    ]
    denied, allowed = judge(samples, PROBLEMS, policy=True, clippy="off")
    assert denied.error_type == "invalid_sample" and "process" in denied.result and denied.compile_ok is None
    assert allowed.passed


@requires_firejail
@pytest.mark.parametrize("mode", MODES)
def test_a_sleeping_sample_costs_no_cpu(mode: str) -> None:
    """Waiting is not spinning: the batch harness stops polling a pipe once it is closed (a closed pipe polls
    ready forever), so a child that sleeps 4 s costs its compile and nothing more, whatever the machine's load."""
    sleeper = "    std::thread::sleep(std::time::Duration::from_secs(4));\n    a + b\n}\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    (result,) = judge([{"task_id": "V/add", "completion": sleeper}], PROBLEMS, clippy="off", mode=mode, workers=1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.passed
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert cpu < 2.0, f"{cpu:.1f} s of CPU for a sample that sleeps 4 s"
