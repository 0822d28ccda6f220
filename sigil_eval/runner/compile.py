"""Compile one assembled program in the sandbox; optionally with clippy fused into the same build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sigil_eval.cargo_cache.warm import HARNESS_CRATE, SAMPLE_CRATES
from sigil_eval.errors import SandboxError, ToolchainError
from sigil_eval.records import TestStyle
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import Diagnostics, parse_diagnostics
from sigil_eval.runner.limits import BINARY_NAME, CODEGEN_FLAGS, COMPILE_FILE_SIZE, COMPILE_OUTPUT_CAP, wall_backstop
from sigil_eval.runner.process import ProcessOutcome, run_limited
from sigil_eval.runner.sandbox import Limits

SOURCE_NAME = "src.rs"


@dataclass(frozen=True, slots=True)
class CompileOutcome:
    ok: bool
    timed_out: bool
    diagnostics: Diagnostics
    wall_ms: float
    with_clippy: bool


def rustc_args(edition: str, test_style: TestStyle, ctx: JobContext) -> list[str]:
    args = [
        "--edition",
        edition,
        "--crate-name",
        "sample",
        *CODEGEN_FLAGS,
        *ctx.cache.extern_args((*SAMPLE_CRATES, HARNESS_CRATE)),  # the harness runs the tests (`isolated`)
    ]
    if test_style == "cfg_test":
        args.append("--test")
    return [*args, SOURCE_NAME, "-o", BINARY_NAME]


async def run_compiler(
    job_dir: Path,
    args: list[str],
    ctx: JobContext,
    *,
    clippy: bool,
    budget: float,
    address_space: int,
    file_size: int,
    output_cap: int,
) -> tuple[ProcessOutcome, Diagnostics, bool]:
    """Run rustc (or clippy-driver, when `clippy` and installed) in the sandbox under a CPU budget.
    Returns the process outcome, its diagnostics and whether clippy was the compiler."""
    argv, with_clippy = compiler_argv(ctx, clippy)
    limits = Limits(cpu_seconds=budget, address_space=address_space, file_size=file_size)
    outcome = await run_limited(
        ctx.sandbox.compile_argv([*argv, *args], job_dir, limits),
        cwd=job_dir,
        env=ctx.sandbox.environment(job_dir),
        wall_timeout=wall_backstop(budget),
        output_cap=output_cap,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    return outcome, parse_diagnostics(outcome.stderr), with_clippy


def compiler_argv(ctx: JobContext, clippy: bool) -> tuple[list[str], bool]:
    """The compiler and its lint flags: clippy-driver when `clippy` and installed, else rustc; and whether it is
    clippy."""
    if not clippy or ctx.clippy_driver is None:
        return [str(ctx.toolchain.rustc)], False
    # correctness lints are deny-by-default; as warnings they cannot turn a good build into a failure
    return [str(ctx.clippy_driver), "-W", "clippy::correctness"], True


async def compile_program(
    job_dir: Path, edition: str, test_style: TestStyle, ctx: JobContext, *, clippy: bool
) -> CompileOutcome:
    outcome, diagnostics, with_clippy = await run_compiler(
        job_dir,
        rustc_args(edition, test_style, ctx),
        ctx,
        clippy=clippy,
        budget=ctx.options.compile_budget,
        address_space=ctx.options.compile_memory,
        file_size=COMPILE_FILE_SIZE,
        output_cap=COMPILE_OUTPUT_CAP,
    )
    timed_out = outcome.timed_out
    if not timed_out and outcome.returncode != 0:
        if failure := diagnostics.environmental_failure():
            raise ToolchainError(failure)
        if not diagnostics.errors and outcome.signal is None and not diagnostics.other_stderr:
            raise SandboxError(
                f"compiler exited with {outcome.returncode} and no diagnostics (sandbox failure?)",
            )
    ok = outcome.returncode == 0 and not timed_out and (job_dir / BINARY_NAME).is_file()
    return CompileOutcome(
        ok=ok, timed_out=timed_out, diagnostics=diagnostics, wall_ms=outcome.wall_ms, with_clippy=with_clippy
    )
