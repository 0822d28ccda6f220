"""The truth path: one sample compiled and tested on its own, in the sandbox."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from sigil_eval.cargo_cache.warm import HARNESS_CRATE
from sigil_eval.errors import SandboxError
from sigil_eval.program.assemble import TESTS_MAIN, Program
from sigil_eval.program.oracle import ORACLE_MODULE, PATH_PLACEHOLDER, inline_module, place
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.records import ISOLATED, Problem, judged_alone
from sigil_eval.runner.batch.source import expose_libtest_tests
from sigil_eval.runner.code_size import ISOLATED_OWNER, own_code_sizes
from sigil_eval.runner.compile import SOURCE_NAME, CompileOutcome, compile_program
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import lint_names
from sigil_eval.runner.harness_protocol import (
    RECORD_PREFIX,
    UID_SWITCH_FAILED,
    HarnessSettings,
    harness_settings,
    parse_records,
)
from sigil_eval.runner.jobs import IsolatedItem
from sigil_eval.runner.limits import (
    BINARY_NAME,
    HARNESS_CPU_SECONDS,
    HARNESS_OUTPUT_CAP,
    TEST_FILE_SIZE,
    run_uid,
    wall_backstop,
)
from sigil_eval.runner.outcome import SampleOutcome
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.seal import seal_job_dir
from sigil_eval.runner.verdict import TestVerdict, judge_libtest, judge_main, judge_record

# libtest streams test output instead of holding it in memory, as the batch harness does: a sample printing
# gigabytes then costs time in both modes, not an allocation failure in one of them
_LIBTEST_ARGS = {"cfg_test": ["--nocapture"], "main": []}
RUN_TEST = "__sigil_run"  # the one libtest test of a harnessed crate: the forking harness running the tests
# attributes that put a sample's code outside its tests, where it runs in the harness's own process (before
# main, or in place of a symbol the harness calls), which keeps the capability to switch uids: refused
_CODE_IN_THE_HARNESS = re.compile(r"\b(?:no_mangle|export_name|link_section|global_allocator)\b")


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


def harnessed(program: Program, style: str, nonce: str, settings: HarnessSettings) -> Program | None:
    """The program alone (at the crate root, as the problem's own program), with its tests run by the forking
    harness the batch path uses: its tests made reachable (as in a batch module) in a module with an
    unguessable name, and there one libtest test, `RUN_TEST`, which hands them to `sigil_harness::run_with`.
    The harness forks a child that runs them and holds the evidence: the child's report on a private pipe,
    checked against a token, and the values of oracle tests; it prints its record on the process's stdout,
    which the child cannot write. None when the tests cannot be driven so (then libtest runs them)."""
    oracle = PATH_PLACEHOLDER in program.tests
    if style == "main":
        renamed = program.rename_tests_main("pub(crate) ")
        if renamed is None:
            return None
        run = _run_test(settings, main_style=True, oracle=False, tests=f'("main", crate::{TESTS_MAIN})')
        return renamed.with_tests(f"{renamed.tests}\nmod {nonce} {{\n{run}}}\n")
    tests = place(program.tests, f"crate::{nonce}::{ORACLE_MODULE}") if oracle else program.tests
    exposed = expose_libtest_tests(tests, nonce)
    if exposed is None:
        return None
    text, paths = exposed
    listed = ", ".join(f'("{path}", crate::{path})' for path in paths)
    run = _run_test(settings, main_style=False, oracle=oracle, tests=listed)
    beside = inline_module(ORACLE_MODULE) if oracle else ""
    return program.with_tests(f"mod {nonce} {{\n#[allow(unused_imports)]\nuse super::*;\n{text}\n{beside}{run}}}\n")


def _run_test(settings: HarnessSettings, *, main_style: bool, oracle: bool, tests: str) -> str:
    entry = (
        f"::{HARNESS_CRATE}::Entry {{ index: 0, main_style: {str(main_style).lower()}, "
        f"oracle: {str(oracle).lower()}, tests: &[{tests}] }}"
    )
    return f"#[test]\nfn {RUN_TEST}() {{\n    ::{HARNESS_CRATE}::run_with(&{settings.rust_array()}, &[{entry}]);\n}}\n"


async def evaluate_isolated(item: IsolatedItem, slot: int, ctx: JobContext) -> SampleOutcome:
    problem, program = item.problem, item.program
    nonce = f"sigil_{secrets.token_hex(8)}"
    if _CODE_IN_THE_HARNESS.search(code_mask(program.source)):
        outcome = SampleOutcome(judged_by=ISOLATED, compile_ms=0.0, refused=_REFUSED)
    else:
        # the harness forks the child that runs the tests under a uid of its own (the slot's run uid), as in a
        # batch: the pipes it holds are the harness's, which the child cannot reopen through /proc
        uid_base = run_uid(slot) if ctx.sandbox.setpriv is not None else 0
        settings = harness_settings(ctx.options, children=1, uid_base=uid_base)
        run = harnessed(program, problem.test_style, nonce, settings)
        job_dir = ctx.scratch_root / f"s{item.index}-{secrets.token_hex(4)}"
        job_dir.mkdir(mode=0o755)
        try:
            if run is None and problem.cases:  # its calls-only test is ours, and the harness always reaches it
                raise ValueError(f"{problem.task_id}: oracle tests the harness cannot drive")
            if run is None:  # tests the harness cannot reach: libtest runs them, as the problem's own program
                legacy = (
                    with_sentinel(program, nonce) if problem.test_style == "main" else in_nonce_module(program, nonce)
                )
                (job_dir / SOURCE_NAME).write_text(legacy.source)
                outcome = await _compile_and_run(problem, legacy, nonce, job_dir, slot, ctx, harnessed_run=False)
            else:
                (job_dir / SOURCE_NAME).write_text(run.source)
                outcome = await _compile_and_run(problem, run, nonce, job_dir, slot, ctx, harnessed_run=True)
        finally:
            if not ctx.options.keep_scratch:
                shutil.rmtree(job_dir, ignore_errors=True)
    outcome.judged_by = judged_alone(item.why)
    return outcome


_REFUSED = (
    "#[no_mangle], #[export_name], #[link_section] or #[global_allocator] code would run in the test harness "
    "itself, outside the sample's own process and uid: refused"
)


async def _compile_and_run(
    problem: Problem, program: Program, nonce: str, job_dir: Path, slot: int, ctx: JobContext, *, harnessed_run: bool
) -> SampleOutcome:
    clippy_wanted = ctx.options.clippy != "off" and ctx.clippy_driver is not None
    style = "cfg_test" if harnessed_run else problem.test_style
    built = await compile_program(job_dir, problem.edition, style, ctx, clippy=clippy_wanted)
    clippy_lints = _clippy_lints(built, program) if built.with_clippy else None
    if built.with_clippy and (built.timed_out or any(d.is_clippy for d in built.diagnostics.errors)):
        # the verdict is rustc's: a clippy lint (under the sample's own lint levels) or clippy's extra time
        # must not decide it, so rebuild without clippy
        built = await compile_program(job_dir, problem.edition, style, ctx, clippy=False)
    outcome = SampleOutcome(
        judged_by=ISOLATED,
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
    if harnessed_run:
        await _run_harnessed(binary, problem, nonce, job_dir, slot, ctx, outcome)
    else:
        await _run(binary, problem, nonce, job_dir, slot, ctx, outcome)
    return outcome


async def _run_harnessed(
    binary: Path, problem: Problem, nonce: str, job_dir: Path, slot: int, ctx: JobContext, outcome: SampleOutcome
) -> None:
    """Run the crate's one libtest test, the harness, and judge the record it printed for the sample's child."""
    budget = ctx.options.run_budget
    limits = Limits(
        cpu_seconds=HARNESS_CPU_SECONDS,  # the harness process; its child gets the sample's budget
        address_space=ctx.options.run_memory,
        file_size=TEST_FILE_SIZE,
        processes=ctx.options.run_processes,
    )
    argv = [f"./{BINARY_NAME}", f"{nonce}::{RUN_TEST}", "--exact", "--nocapture", "--quiet", "--test-threads", "1"]
    process = await run_limited(
        ctx.sandbox.harness_argv(argv, job_dir, limits),
        cwd=job_dir,
        env=ctx.sandbox.environment(job_dir),
        wall_timeout=wall_backstop(budget) + 10,
        output_cap=HARNESS_OUTPUT_CAP,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    outcome.run_ms = process.wall_ms
    lines = sum(line.startswith(RECORD_PREFIX) for line in process.stdout.splitlines())
    record = parse_records(process.stdout).get(0)
    if record is None or lines != 1:
        if process.wall_timeout:
            outcome.test = TestVerdict(False, "test_timeout", "still running after the wall-clock backstop")
        else:
            why = "no record" if record is None else f"{lines} records"
            outcome.test = TestVerdict(
                False, "early_exit", f"the test harness printed {why} (exit code {process.returncode})"
            )
        outcome.run_output = (process.stdout + b"\n" + process.stderr).decode("utf-8", errors="replace").strip()
        return
    if record.spawn_failed:
        raise SandboxError("the test harness could not fork the process that runs a sample's tests")
    if record.report == UID_SWITCH_FAILED:
        raise SandboxError("the test harness cannot switch to its unprivileged uid")
    outcome.run_ms = float(record.wall_ms)
    outcome.test = judge_record(problem, record, problem.test_style == "main", budget)
    outcome.run_output = record.output_text


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
