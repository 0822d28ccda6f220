"""Turn a finished test run into a verdict. A pass needs positive evidence, never just exit code 0."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from sigil_eval.program.oracle import check_values, mismatch, result_type
from sigil_eval.records import ErrorType, Problem
from sigil_eval.runner.harness_protocol import ChildRecord
from sigil_eval.runner.process import ProcessOutcome

_SUMMARY = re.compile(rb"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class TestVerdict:
    passed: bool
    error_type: ErrorType | None
    reason: str
    # a problem with plus cases (`Problem.plus_from`): whether its own cases, the ones before the plus cases, all
    # got the right value (the verdict the base tests alone would give); None for any other problem
    base_passed: bool | None = None
    cases_passed: int | None = None  # a problem with cases: how many returned the expected value


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _still_running(budget_s: float) -> str:
    return f"still running after the wall-clock backstop ({budget_s:g} s budget)"


def _common(outcome: ProcessOutcome, budget_s: float) -> TestVerdict | None:
    if outcome.wall_timeout:
        return TestVerdict(
            False, "test_timeout", f"still running after the wall-clock backstop ({budget_s:g} s budget)"
        )
    if outcome.cpu_limit_hit:
        return TestVerdict(False, "test_timeout", f"CPU time limit of {budget_s:g} s exceeded")
    if outcome.signal is not None:
        return TestVerdict(False, "runtime_error", f"killed by {_signal_name(outcome.signal)}")
    return None


def judge_libtest(outcome: ProcessOutcome, budget_s: float, module: str) -> TestVerdict:
    """`#[cfg(test)]` tests run by libtest: exactly one summary, ≥ 1 passed, 0 failed, exit 0, and one
    `test <module>::… ... ok` line per passed test (`module` is the unguessable name the tests were put in)."""
    if common := _common(outcome, budget_s):
        return common
    summaries = _SUMMARY.findall(outcome.stdout)
    if not summaries:
        return TestVerdict(False, "early_exit", f"exited with code {outcome.returncode} before libtest's summary")
    if len(summaries) > 1:
        return TestVerdict(False, "early_exit", "more than one libtest summary: output is not libtest's own")
    status, passed, failed = summaries[0][0], int(summaries[0][1]), int(summaries[0][2])
    if failed or status != b"ok":
        return TestVerdict(False, "assertion_failure", f"{failed} test(s) failed, {passed} passed")
    if passed == 0:
        return TestVerdict(False, "early_exit", "no test ran")
    if outcome.returncode != 0:
        return TestVerdict(False, "early_exit", f"summary printed but exit code {outcome.returncode}")
    # not anchored: with output streamed, a sample's unterminated print may precede libtest's line
    ok_lines = re.findall(rb"test " + re.escape(module.encode()) + rb"::[\w:]+ \.\.\. ok\b", outcome.stdout)
    if not ok_lines or len(ok_lines) > passed:
        # a sample's own #[test]s may add passes; a forged summary cannot name the problem's tests
        return TestVerdict(False, "early_exit", "the summary does not match libtest's per-test lines (forged output?)")
    return TestVerdict(True, None, f"{passed} test(s) passed")


def judge_main(outcome: ProcessOutcome, budget_s: float, sentinel: str) -> TestVerdict:
    """`fn main` tests: the asserts ran to the end (our sentinel line printed after them), no panic, exit 0."""
    if common := _common(outcome, budget_s):
        return common
    finished = sentinel.encode() in outcome.stdout
    if outcome.returncode == 101 or b"panicked at" in outcome.stderr:
        return TestVerdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
    if outcome.returncode != 0 or not finished:
        return TestVerdict(False, "early_exit", f"exited with code {outcome.returncode} before the tests finished")
    return TestVerdict(True, None, "main ran to the end")


def judge_child(record: ChildRecord, main_style: bool, budget_s: float) -> TestVerdict:
    """A batch harness child, judged by the rules the isolated path applies to a whole process."""
    if record.killed:
        return TestVerdict(False, "test_timeout", _still_running(budget_s))
    if record.signal in (signal.SIGXCPU, signal.SIGALRM):  # RLIMIT_CPU, or the child's own wall alarm
        return TestVerdict(False, "test_timeout", f"CPU time limit of {budget_s:g} s exceeded")
    if record.signal:
        return TestVerdict(False, "runtime_error", f"killed by {_signal_name(record.signal)}")
    if record.report is None:
        if main_style and record.code == 101:
            return TestVerdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
        return TestVerdict(False, "early_exit", f"exited with code {record.code} before the tests finished")
    passed, failed = record.report
    if failed:
        if main_style:
            return TestVerdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
        return TestVerdict(False, "assertion_failure", f"{failed} test(s) failed, {passed} passed")
    if passed == 0:
        return TestVerdict(False, "early_exit", "no test ran")
    if record.code != 0:
        return TestVerdict(False, "early_exit", f"tests finished but exit code {record.code}")
    return TestVerdict(True, None, "main ran to the end" if main_style else f"{passed} test(s) passed")


def judge_record(problem: Problem, record: ChildRecord, main_style: bool, budget_s: float) -> TestVerdict:
    """A harness child's record, in either path: its run, and for a problem with cases the values it returned."""
    verdict = judge_child(record, main_style, budget_s)
    if problem.cases:
        verdict = judge_values(problem, verdict, record.values_data, record.values_bytes)
    return verdict


def judge_values(problem: Problem, run: TestVerdict, values: bytes, total_bytes: int) -> TestVerdict:
    """An oracle test's run (calls only) and the values it returned. A run that finished: the values decide. A
    run that did not (a panic, a timeout, a signal): if a value it returned before that was wrong, the verdict is
    that wrong value, as the asserts, which run in order and stop at the first failure, would have said in
    process; otherwise the run's own failure. Either way, how many cases got the expected value."""
    ty = result_type(problem.result_type)
    base = None
    if problem.plus_from is not None:
        base = mismatch(problem.cases, ty, values, total_bytes, only_first=problem.plus_from) is None
    checked = check_values(problem.cases, ty, values, total_bytes)
    if not run.passed:
        wrong = checked.first_wrong
        failed = run if wrong is None else TestVerdict(False, "assertion_failure", wrong)
        return TestVerdict(False, failed.error_type, failed.reason, base, checked.right)
    if checked.mismatch is not None:
        return TestVerdict(False, "assertion_failure", checked.mismatch, base, checked.right)
    reason = f"{len(problem.cases)} recorded case(s) returned the expected values"
    return TestVerdict(True, None, reason, base, checked.right)
