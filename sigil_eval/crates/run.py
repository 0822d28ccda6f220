"""Run a built crate's tests in the sandbox — each test file's binary under our forking harness, each test a child
with its own uid and limits — and read every verdict from the harness's report, never from what a test prints."""

from __future__ import annotations

from pathlib import Path

from sigil_eval.crates.harnessed import CrateTest
from sigil_eval.records import CrateTaskResult
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.harness_protocol import harness_settings, parse_records
from sigil_eval.runner.limits import HARNESS_CPU_SECONDS, TEST_FILE_SIZE, harness_uid_base, wall_backstop
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.verdict import judge_child


async def run_crate_tests(
    executables: dict[str, Path],
    tests: dict[str, list[CrateTest]],
    crate: Path,
    files: list[str],
    ctx: JobContext,
    slot: int,
    result: CrateTaskResult,
) -> CrateTaskResult:
    """Run every test of the crate at `crate` (its `files`; its test binaries `executables`, inside it) into
    `result`, and conclude it: `passed` only when every test passed."""
    _readable_to_tests(crate, [crate / path for path in files] + list(executables.values()))
    for name, entries in tests.items():
        await _run_binary(executables[name], entries, crate, ctx, slot, result)
    result.passed = not result.tests_failed and bool(result.tests_passed)
    total = len(result.tests_passed) + len(result.tests_failed)
    if result.passed:
        result.result = f"passed: {total} tests"
    else:
        result.error_type = result.error_type or "assertion_failure"
        failed = ", ".join(result.tests_failed[:5])
        result.result = f"failed: {len(result.tests_failed)} of {total} tests: {failed}"
    return result


def _readable_to_tests(crate: Path, paths: list[Path]) -> None:
    """The crate's own files readable (not writable) to the tests' uids, which run in it as cargo's tests do
    (some read `Cargo.toml`), and the way to its test binaries open: nothing in them is secret."""
    crate.chmod(0o755)
    for path in paths:
        for directory in list(path.relative_to(crate).parents)[:-1]:
            (crate / directory).chmod(0o755)
        if not path.stat().st_mode & 0o100:
            path.chmod(0o644)


async def _run_binary(
    binary: Path, tests: list[CrateTest], crate: Path, ctx: JobContext, slot: int, result: CrateTaskResult
) -> None:
    budget = ctx.options.run_budget
    uid_base = harness_uid_base(slot) if ctx.sandbox.setpriv is not None else 0
    settings = harness_settings(ctx.options, children=1, uid_base=uid_base)
    limits = Limits(cpu_seconds=HARNESS_CPU_SECONDS, address_space=ctx.options.run_memory, file_size=TEST_FILE_SIZE)
    process = await run_limited(
        ctx.sandbox.harness_argv([str(binary), *settings.argv()], crate, limits),
        cwd=crate,
        env=ctx.sandbox.environment(crate),
        wall_timeout=len(tests) * (wall_backstop(budget) + 2) + 10,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    records = parse_records(process.stdout)
    for i, test in enumerate(tests):
        record = records.get(i)
        verdict = judge_child(record, False, budget) if record is not None else None
        if verdict is not None and verdict.passed:
            result.tests_passed.append(test.path)
        else:
            result.tests_failed.append(test.path)
            if verdict is not None and verdict.error_type != "assertion_failure":
                result.error_type = result.error_type or verdict.error_type
