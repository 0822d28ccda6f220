"""Filling in a Result: the same wording and fields whichever path judged the sample."""

from __future__ import annotations

import re

from sigil_eval.program.completion import clean_completion, is_main_free
from sigil_eval.program.policy import policy_violation
from sigil_eval.records import ErrorType, Problem, Result, Sample

_NONCE_MODULE = re.compile(r"\bsigil_[0-9a-f]{16}::")
_BATCH_FILE = re.compile(r"\bs\d+\.rs:(?=\d)")
_THREAD_ID = re.compile(r"(thread '[^'\n]*') \(\d+\) panicked")


def stable_stderr(text: str, keep: int = 8000) -> str:
    """The tail of a test run's output as the user reads it, the same in both paths and in every run: without
    the run's nonce module, the batch's module file named as the sample's program (`src.rs`, as compile errors
    are), without thread ids (which count the threads a process started before)."""
    text = _NONCE_MODULE.sub("", text)
    text = _BATCH_FILE.sub("src.rs:", text)
    return _THREAD_ID.sub(r"\1 panicked", text)[-keep:]


def base_result(sample: Sample, index: int, *, oracle_proof: bool, cases: int | None = None) -> Result:
    """A started record for `sample`; `cases`: its problem's recorded cases, when its tests are cases."""
    return Result(
        task_id=sample.task_id,
        completion=sample.completion,
        completion_id=sample.completion_id,
        sample_index=index,
        main_free=is_main_free(sample.completion),
        oracle_proof=oracle_proof,
        cases_total=cases,
        cases_passed=0 if cases else None,  # until a run says more
    )


def fresh_result(result: Result) -> Result:
    """A new record for the same sample: nothing an earlier attempt at judging it noted carries over."""
    sample = Sample(task_id=result.task_id, completion=result.completion, completion_id=result.completion_id)
    return base_result(sample, result.sample_index, oracle_proof=result.oracle_proof, cases=result.cases_total)


def finish(result: Result, error_type: ErrorType | None, reason: str = "", stderr: str = "") -> Result:
    """Set the verdict: `error_type` None is a pass."""
    result.error_type = error_type
    result.passed = error_type is None
    if error_type is None:
        result.result = "passed"
    elif error_type.endswith("timeout"):
        result.result = "timed out"
    else:
        result.result = f"failed: {error_type}: {reason}"
    if stderr:
        result.stderr = stderr
    return result


def policy_failure(problem: Problem, sample: Sample, result: Result) -> Result | None:
    """With `--policy`: the refusal of a sample using a denied API, else None."""
    cleaned = clean_completion(sample.completion, problem.entry_point)
    if violation := policy_violation(cleaned.code):
        return finish(result, "invalid_sample", f"policy: {violation}")
    return None
