"""One verdict path: both runners describe what they found in a `SampleOutcome`; `to_result` alone turns it into
a `Result`. The clippy policy, the compile-error record and the stderr tail exist here once, so "two paths, one
verdict" holds by construction and not only by the differential tests."""

from __future__ import annotations

from dataclasses import dataclass

from sigil_eval.options import ClippyMode
from sigil_eval.records import Result
from sigil_eval.runner.diagnostics import Diagnostics
from sigil_eval.runner.results import finish, stable_stderr
from sigil_eval.runner.verdict import TestVerdict


@dataclass(slots=True)
class SampleOutcome:
    """What judging one sample found. Exactly one of: a compile timeout, `compile_errors`, or a `test` verdict."""

    judged_by: str  # a `JudgedBy`, or "isolated: <why>" (`judged_alone`)
    compile_ms: float
    compile_timed_out: bool = False
    compile_errors: Diagnostics | None = None  # the sample's own errors (a batch: those attributed to it)
    # clippy's word on the completion's own lines: True clean, False lints, None no verdict (off, absent, timed out)
    clippy_clean: bool | None = None
    clippy_lints: tuple[str, ...] = ()  # the lints clippy found on those lines, by name, sorted
    binary_size_bytes: int | None = None
    run_ms: float | None = None
    test: TestVerdict | None = None
    run_output: str = ""  # the test run's stdout and stderr as captured (kept only when it did not pass)
    refused: str = ""  # why the sample was not judged at all (a shape no verdict of which could be trusted)


def to_result(result: Result, outcome: SampleOutcome, *, clippy: ClippyMode, compile_budget: float) -> Result:
    """Fill `result` (a started record: ids, completion, main_free) with the verdict `outcome` implies."""
    result.judged_by = outcome.judged_by
    result.compile_time_ms = round(outcome.compile_ms, 3)
    if outcome.refused:
        return finish(result, "invalid_sample", outcome.refused)
    if outcome.compile_timed_out:
        result.clippy_ok = outcome.clippy_clean
        return finish(result, "compile_timeout", f"compile exceeded {compile_budget:g} s")
    if outcome.compile_errors is not None:
        result.compile_ok = False
        # a build that fails is not clippy-clean, when clippy gave a verdict at all
        result.clippy_ok = False if outcome.clippy_clean is not None else None
        errors = outcome.compile_errors
        return finish(result, "compile_error", errors.summary(), errors.rendered_errors())
    verdict = outcome.test
    if verdict is None:
        raise ValueError("a SampleOutcome needs a compile failure or a test verdict")
    result.compile_ok = True
    result.clippy_ok = outcome.clippy_clean
    result.clippy_lints = list(outcome.clippy_lints)
    result.binary_size_bytes = outcome.binary_size_bytes
    result.run_time_ms = None if outcome.run_ms is None else round(outcome.run_ms, 3)
    result.test_ok = verdict.passed
    result.base_passed = verdict.base_passed
    if result.cases_total is not None and verdict.cases_passed is not None:
        result.cases_passed = verdict.cases_passed
    if not verdict.passed:
        return finish(result, verdict.error_type or "runtime_error", verdict.reason, stable_stderr(outcome.run_output))
    if clippy == "required":
        if result.clippy_ok is None or result.clippy_ok is False:
            result.base_passed = None if result.base_passed is None else False  # the lint verdict holds for both
        if result.clippy_ok is None:
            return finish(result, "clippy_timeout", "clippy gave no verdict within the compile budget")
        if result.clippy_ok is False:
            return finish(result, "lint_failure", "clippy lints in the completion")
    return finish(result, None, verdict.reason)
