"""The truth path: one sample compiled and tested on its own, in the sandbox."""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from sigil_eval.options import wall_backstop
from sigil_eval.program.assemble import TESTS_MAIN, Program
from sigil_eval.program.oracle import ORACLE_MODULE, PATH_PLACEHOLDER, VALUES_CAP, inline_module, place
from sigil_eval.records import Problem, Result
from sigil_eval.runner.code_size import ISOLATED_OWNER, own_code_sizes
from sigil_eval.runner.compile import BINARY_NAME, SOURCE_NAME, CompileOutcome, compile_program
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import lint_names
from sigil_eval.runner.limits import TEST_FILE_SIZE
from sigil_eval.runner.outcome import SampleOutcome
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.seal import seal_job_dir
from sigil_eval.runner.verdict import judge_libtest, judge_main, judge_values

# libtest streams test output instead of holding it in memory, as the batch harness does: a sample printing
# gigabytes then costs time in both modes, not an allocation failure in one of them
_LIBTEST_ARGS = {"cfg_test": ["--nocapture"], "main": []}


def with_sentinel(program: Program, sentinel: str) -> Program:
    """For `fn main` tests: rename the tests' main and print a sentinel after it returns, so a sample that
    exits early with code 0 cannot pass."""
    renamed = program.rename_tests_main()
    if renamed is None:
        return program  # no single main: the build fails as the problem's own program would
    return renamed.with_tests(renamed.tests + f'\nfn main() {{\n    {TESTS_MAIN}();\n    println!("{sentinel}");\n}}\n')


def in_nonce_module(program: Program, module: str) -> Program:
    """For libtest: put the tests in a module with an unguessable name. libtest then prints
    `test <module>::… ... ok` per passing test, which a sample printing a fake summary cannot know. Oracle
    tests get the oracle beside them, where no sample item can reach it."""
    tests = program.tests
    if PATH_PLACEHOLDER in tests:
        tests = place(tests, f"crate::{module}::{ORACLE_MODULE}") + inline_module(ORACLE_MODULE)
    return program.with_tests(f"mod {module} {{\n#[allow(unused_imports)]\nuse super::*;\n{tests}\n}}\n")


@dataclass(frozen=True, slots=True)
class IsolatedItem:
    """A sample ready for the isolated path: policy checked, program assembled, result record started."""

    problem: Problem
    program: Program
    result: Result
    why: str = ""  # batched mode: why this sample is judged alone

    @property
    def index(self) -> int:
        return self.result.sample_index


async def evaluate_isolated(item: IsolatedItem, slot: int, ctx: JobContext) -> SampleOutcome:
    problem, program = item.problem, item.program
    nonce = f"sigil_{secrets.token_hex(8)}"
    program = with_sentinel(program, nonce) if problem.test_style == "main" else in_nonce_module(program, nonce)
    job_dir = ctx.scratch_root / f"s{item.index}-{secrets.token_hex(4)}"
    job_dir.mkdir(mode=0o755)
    try:
        (job_dir / SOURCE_NAME).write_text(program.source)
        outcome = await _compile_and_run(problem, program, nonce, job_dir, slot, ctx)
    finally:
        if not ctx.options.keep_scratch:
            shutil.rmtree(job_dir, ignore_errors=True)
    outcome.judged_by = f"isolated: {item.why}" if item.why else "isolated"
    return outcome


async def _compile_and_run(
    problem: Problem, program: Program, nonce: str, job_dir: Path, slot: int, ctx: JobContext
) -> SampleOutcome:
    clippy_wanted = ctx.options.clippy != "off" and ctx.clippy_driver is not None
    built = await compile_program(job_dir, problem.edition, problem.test_style, ctx, clippy=clippy_wanted)
    clippy_lints = _clippy_lints(built, program) if built.with_clippy else None
    if built.with_clippy and (built.timed_out or any(d.is_clippy for d in built.diagnostics.errors)):
        # the verdict is rustc's: a clippy lint (under the sample's own lint levels) or clippy's extra time
        # must not decide it, so rebuild without clippy
        built = await compile_program(job_dir, problem.edition, problem.test_style, ctx, clippy=False)
    outcome = SampleOutcome(
        judged_by="isolated",
        compile_ms=built.wall_ms,
        clippy_clean=None if clippy_lints is None else not clippy_lints,
        clippy_lints=clippy_lints or (),
    )
    if built.timed_out:
        outcome.compile_timed_out = True
        return outcome
    if not built.ok:
        outcome.compile_errors = built.diagnostics
        return outcome
    binary = job_dir / BINARY_NAME
    outcome.binary_size_bytes = (await own_code_sizes(binary, ISOLATED_OWNER)).get("sample", 0)
    seal_job_dir(job_dir, BINARY_NAME, keep_sources=ctx.options.keep_scratch)
    if not problem.cases:
        await _run(binary, problem, nonce, job_dir, slot, ctx, outcome)
        return outcome
    # the oracle's channel: the test binary's stdin, write-only, on a file only root may open (see oracle.rs)
    values = job_dir.with_name(job_dir.name + ".values")
    channel = os.open(values, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    try:
        await _run(binary, problem, nonce, job_dir, slot, ctx, outcome, stdin=channel)
    finally:
        os.close(channel)
    try:
        if outcome.test is not None:
            outcome.test = judge_values(problem, outcome.test, *_read_values(values))
    finally:
        values.unlink()
    return outcome


def _read_values(path: Path) -> tuple[bytes, int]:
    with path.open("rb") as channel:
        return channel.read(VALUES_CAP), path.stat().st_size


def _clippy_lints(built: CompileOutcome, program: Program) -> tuple[str, ...] | None:
    """The lints clippy found on the completion's own lines; None when it gave no verdict."""
    if built.timed_out:
        return None
    first, last = program.completion_lines
    return lint_names(built.diagnostics.clippy_lints_within(SOURCE_NAME, first, last))


async def _run(
    binary: Path,
    problem: Problem,
    nonce: str,
    job_dir: Path,
    slot: int,
    ctx: JobContext,
    outcome: SampleOutcome,
    stdin: int | None = None,
) -> None:
    budget = ctx.options.run_budget
    limits = Limits(
        cpu_seconds=budget,
        address_space=ctx.options.run_memory,
        file_size=TEST_FILE_SIZE,
        processes=ctx.options.run_processes,
    )
    process = await run_limited(
        ctx.sandbox.run_argv([f"./{BINARY_NAME}", *_LIBTEST_ARGS[problem.test_style]], job_dir, limits, slot),
        cwd=job_dir,
        env=ctx.sandbox.environment(job_dir),
        wall_timeout=wall_backstop(budget),
        output_cap=ctx.options.output_cap,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
        stdin=stdin,
    )
    outcome.run_ms = process.wall_ms
    outcome.test = (
        judge_libtest(process, budget, nonce)
        if problem.test_style == "cfg_test"
        else judge_main(process, budget, nonce)
    )
    outcome.run_output = (process.stdout + b"\n" + process.stderr).decode("utf-8", errors="replace").strip()
