"""Turn a finished test run into a verdict. A pass needs positive evidence, never just exit code 0."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from sigil_eval.oracle import mismatch, result_type
from sigil_eval.records import Problem
from sigil_eval.runner.process import ProcessOutcome

_SUMMARY = re.compile(rb"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Verdict:
    passed: bool
    error_type: str | None
    reason: str


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _common(outcome: ProcessOutcome, budget_s: float) -> Verdict | None:
    if outcome.wall_timeout:
        return Verdict(False, "test_timeout", f"still running after the wall-clock backstop ({budget_s:g} s budget)")
    if outcome.cpu_limit_hit:
        return Verdict(False, "test_timeout", f"CPU time limit of {budget_s:g} s exceeded")
    if outcome.signal is not None:
        return Verdict(False, "runtime_error", f"killed by {_signal_name(outcome.signal)}")
    return None


def judge_libtest(outcome: ProcessOutcome, budget_s: float, module: str) -> Verdict:
    """`#[cfg(test)]` tests run by libtest: exactly one summary, ≥ 1 passed, 0 failed, exit 0, and one
    `test <module>::… ... ok` line per passed test (`module` is the unguessable name the tests were put in)."""
    if common := _common(outcome, budget_s):
        return common
    summaries = _SUMMARY.findall(outcome.stdout)
    if not summaries:
        return Verdict(False, "early_exit", f"exited with code {outcome.returncode} before libtest's summary")
    if len(summaries) > 1:
        return Verdict(False, "early_exit", "more than one libtest summary: output is not libtest's own")
    status, passed, failed = summaries[0][0], int(summaries[0][1]), int(summaries[0][2])
    if failed or status != b"ok":
        return Verdict(False, "assertion_failure", f"{failed} test(s) failed, {passed} passed")
    if passed == 0:
        return Verdict(False, "early_exit", "no test ran")
    if outcome.returncode != 0:
        return Verdict(False, "early_exit", f"summary printed but exit code {outcome.returncode}")
    # not anchored: with output streamed, a sample's unterminated print may precede libtest's line
    ok_lines = re.findall(rb"test " + re.escape(module.encode()) + rb"::[\w:]+ \.\.\. ok\b", outcome.stdout)
    if not ok_lines or len(ok_lines) > passed:
        # a sample's own #[test]s may add passes; a forged summary cannot name the problem's tests
        return Verdict(False, "early_exit", "the summary does not match libtest's per-test lines (forged output?)")
    return Verdict(True, None, f"{passed} test(s) passed")


def judge_main(outcome: ProcessOutcome, budget_s: float, sentinel: str) -> Verdict:
    """`fn main` tests: the asserts ran to the end (our sentinel line printed after them), no panic, exit 0."""
    if common := _common(outcome, budget_s):
        return common
    finished = sentinel.encode() in outcome.stdout
    if outcome.returncode == 101 or b"panicked at" in outcome.stderr:
        return Verdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
    if outcome.returncode != 0 or not finished:
        return Verdict(False, "early_exit", f"exited with code {outcome.returncode} before the tests finished")
    return Verdict(True, None, "main ran to the end")


def judge_child(record: dict[str, object], main_style: bool, budget_s: float) -> Verdict:
    """A batch harness child, judged by the rules the isolated path applies to a whole process."""
    signal_number = int(record.get("signal") or 0)  # type: ignore[call-overload]
    code = int(record.get("code", -1))  # type: ignore[call-overload]
    if record.get("killed"):
        return Verdict(False, "test_timeout", f"still running after the wall-clock backstop ({budget_s:g} s budget)")
    if signal_number in (signal.SIGXCPU, signal.SIGALRM):  # RLIMIT_CPU, or the child's own wall alarm
        return Verdict(False, "test_timeout", f"CPU time limit of {budget_s:g} s exceeded")
    if signal_number:
        return Verdict(False, "runtime_error", f"killed by {_signal_name(signal_number)}")
    report = record.get("report")
    if not isinstance(report, list):
        if main_style and code == 101:
            return Verdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
        return Verdict(False, "early_exit", f"exited with code {code} before the tests finished")
    passed, failed = int(report[0]), int(report[1])
    if failed:
        if main_style:
            return Verdict(False, "assertion_failure", "panicked (a failed assert or an explicit panic)")
        return Verdict(False, "assertion_failure", f"{failed} test(s) failed, {passed} passed")
    if passed == 0:
        return Verdict(False, "early_exit", "no test ran")
    if code != 0:
        return Verdict(False, "early_exit", f"tests finished but exit code {code}")
    return Verdict(True, None, "main ran to the end" if main_style else f"{passed} test(s) passed")


def judge_values(problem: Problem, values: bytes, total_bytes: int) -> Verdict:
    """A run that passed its (calls-only) oracle test: the values it returned decide."""
    reason = mismatch(problem.cases, result_type(problem.result_type), values, total_bytes)
    if reason is not None:
        return Verdict(False, "assertion_failure", reason)
    return Verdict(True, None, f"{len(problem.cases)} recorded case(s) returned the expected values")
