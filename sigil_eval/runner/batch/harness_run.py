"""Running a compiled batch: one harness process forks a child per member (see harness.rs) and prints one record
per member, which is judged as the isolated path judges the same record."""

from __future__ import annotations

import re
from pathlib import Path

from sigil_eval.errors import SandboxError
from sigil_eval.program.shared_tests import SharedTests
from sigil_eval.runner.batch.members import BatchOutcome, judged_by
from sigil_eval.runner.batch.source import WRAPPER_HEAD_LINES
from sigil_eval.runner.code_size import BATCH_OWNER, own_code_sizes
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import Diagnostics, lint_names
from sigil_eval.runner.harness_protocol import UID_SWITCH_FAILED, harness_settings, parse_records
from sigil_eval.runner.jobs import BatchItem
from sigil_eval.runner.limits import (
    BINARY_NAME,
    CHILDREN_PER_HARNESS,
    HARNESS_CPU_SECONDS,
    HARNESS_OUTPUT_CAP,
    TEST_FILE_SIZE,
    harness_uid_base,
    wall_backstop,
)
from sigil_eval.runner.outcome import SampleOutcome
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.seal import seal_job_dir
from sigil_eval.runner.verdict import judge_record


async def run_harness(
    group: list[BatchItem],
    job_dir: Path,
    ctx: JobContext,
    slot: int,
    clippy_diagnostics: Diagnostics | None,
    outcome: BatchOutcome,
) -> None:
    """Run the batch binary in `job_dir` and judge every member of `group` by its record (into `outcome`)."""
    binary = seal_job_dir(job_dir, BINARY_NAME, keep_sources=ctx.options.keep_scratch)
    budget = ctx.options.run_budget
    uid_base = harness_uid_base(slot) if ctx.sandbox.setpriv is not None else 0
    child_wall = wall_backstop(budget)
    settings = harness_settings(ctx.options, children=CHILDREN_PER_HARNESS, uid_base=uid_base)
    argv = [f"./{BINARY_NAME}", *settings.argv()]
    rounds = -(-len(group) // CHILDREN_PER_HARNESS)
    limits = Limits(cpu_seconds=HARNESS_CPU_SECONDS, address_space=ctx.options.run_memory, file_size=TEST_FILE_SIZE)
    process = await run_limited(
        ctx.sandbox.harness_argv(argv, job_dir, limits),
        cwd=job_dir,
        env=ctx.sandbox.environment(job_dir),
        wall_timeout=rounds * (child_wall + 2) + 10,
        output_cap=HARNESS_OUTPUT_CAP,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    sizes = await own_code_sizes(binary, BATCH_OWNER)
    records = parse_records(process.stdout)
    for item in group:
        record = records.get(item.index)
        if record is None:
            outcome.isolate.append((item, "no record from the batch harness"))
            continue
        if record.report == UID_SWITCH_FAILED:
            raise SandboxError("the batch harness cannot switch to its unprivileged uid")
        if record.spawn_failed:
            outcome.isolate.append((item, "the batch harness could not start its test"))
            continue
        shared = item.module.shared
        judged = SampleOutcome(
            judged_by=judged_by(item),
            compile_ms=item.compile_ms,
            binary_size_bytes=sizes.get(item.name, 0),
            run_ms=float(record.wall_ms),
        )
        if clippy_diagnostics is not None:
            first, last = item.program.completion_lines
            lints = clippy_diagnostics.clippy_lints_within(f"{item.name}.rs", first, last)
            judged.clippy_clean = not lints
            judged.clippy_lints = lint_names(lints)
        judged.test = judge_record(item.problem, record, item.module.main_style, budget)
        if not judged.test.passed:
            output = record.output_text
            tests_line = item.module.shim_line + (0 if item.module.main_style else WRAPPER_HEAD_LINES)
            judged.run_output = output if shared is None else as_own_lines(output, shared, tests_line)
        outcome.judged.append((item, judged))


def as_own_lines(output: str, shared: SharedTests, tests_line: int) -> str:
    """A run's output with the shared tests' locations (`__sigil_shared_….rs:40:9`) as the sample's own tests
    would show them (`src.rs:12:9`): the tests are the same lines, from its `tests_line` on."""

    def located(match: re.Match[str]) -> str:
        line = int(match.group(1))
        if line < shared.first_test_line:
            return match.group(0)
        return f"src.rs:{line - shared.first_test_line + tests_line}:"

    return re.sub(rf"\b{shared.module_name}\.rs:(\d+):", located, output)
