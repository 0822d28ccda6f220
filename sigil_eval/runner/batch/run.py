"""`run_batch`: the loop that judges a batch job (see the package's docstring for its steps)."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import structlog

from sigil_eval.errors import ToolchainError
from sigil_eval.records import IsolationReason
from sigil_eval.runner.batch.attribution import attribute, unshared
from sigil_eval.runner.batch.crate import batch_compile_budget, batch_compiler_args, compile_crate, write_batch_crate
from sigil_eval.runner.batch.harness_run import run_harness
from sigil_eval.runner.batch.members import BatchOutcome, compile_failure
from sigil_eval.runner.batch.sharing import Sharing, own_tests
from sigil_eval.runner.batch.source import module_name
from sigil_eval.runner.compile import compiler_argv
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import parse_diagnostics
from sigil_eval.runner.jobs import BatchItem
from sigil_eval.runner.limits import BATCH_COMPILE_FILE_SIZE, BATCH_COMPILE_OUTPUT_CAP, BINARY_NAME, wall_backstop
from sigil_eval.runner.outcome import SampleOutcome
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.route import may_reach_neighbours
from sigil_eval.runner.sandbox import Limits

log = structlog.get_logger("sigil_eval")

# a group this small that runs out of time is judged member by member (a few ~0.2 s isolated compiles) rather
# than bisected further (a whole CPU second at least per level: RLIMIT_CPU counts in seconds)
ISOLATE_AT_MOST = 8


async def run_batch(items: list[BatchItem], ctx: JobContext, slot: int, sharing: Sharing) -> BatchOutcome:
    """Judge `items` (same edition) as batches; what cannot be judged here comes back in `isolate`. `sharing`:
    the run's shared tests (see `sharing`)."""
    outcome = BatchOutcome()
    if ctx.options.share_tests:
        sharing.share(items)
    groups = [items]
    while groups:
        group = groups.pop()
        job_dir = ctx.scratch_root / f"b{slot}-{secrets.token_hex(4)}"
        job_dir.mkdir(mode=0o755)
        try:
            await _judge_group(group, job_dir, ctx, slot, sharing, outcome, groups)
        finally:
            if not ctx.options.keep_scratch:
                shutil.rmtree(job_dir, ignore_errors=True)
    return outcome


async def _judge_group(
    group: list[BatchItem],
    job_dir: Path,
    ctx: JobContext,
    slot: int,
    sharing: Sharing,
    outcome: BatchOutcome,
    groups: list[list[BatchItem]],
) -> None:
    clippy = ctx.options.clippy != "off" and ctx.clippy_driver is not None
    edition = group[0].problem.edition
    for position, item in enumerate(group):  # a fresh job dir: names from 0
        item.name = module_name(position)
    if len(group) > 1 and all(item.syntax_error for item in group):
        group = await _compile_each_alone(group, job_dir / "alone", edition, ctx, clippy, outcome)
    failed: list[tuple[BatchItem, SampleOutcome]] = []  # compile errors found beside other members
    if group:
        await _compile_and_run(
            group, job_dir, ctx, slot, sharing, outcome, groups, failed, clippy=clippy, edition=edition
        )
    if failed and any(may_reach_neighbours(item.program) for item in group):
        await _confirm_alone([item for item, _ in failed], job_dir / "confirm", edition, ctx, clippy, outcome)
    else:
        outcome.judged.extend(failed)


async def _confirm_alone(
    failed: list[BatchItem], job_dir: Path, edition: str, ctx: JobContext, clippy: bool, outcome: BatchOutcome
) -> None:
    """Members that did not compile beside a member that may act on the whole crate (`may_reach_neighbours`: a
    trait impl or derive, the only such items routing lets into a batch) are compiled again each alone before
    their errors become a verdict (and enter the verdict store): an impl can change type inference everywhere,
    so an error in such a batch is only evidence once it is the member's own. One that compiles alone was failed
    by a neighbour and is judged alone."""
    rest = await _compile_each_alone(failed, job_dir, edition, ctx, clippy, outcome)
    outcome.isolate.extend((item, "compiled alone after failing beside others") for item in rest)
    if rest:
        log.warning("batch members failed beside others and compiled alone", members=len(rest))


async def _compile_and_run(
    group: list[BatchItem],
    job_dir: Path,
    ctx: JobContext,
    slot: int,
    sharing: Sharing,
    outcome: BatchOutcome,
    groups: list[list[BatchItem]],
    failed_beside_others: list[tuple[BatchItem, SampleOutcome]],
    *,
    clippy: bool,
    edition: str,
) -> None:
    written: dict[str, str] = {}
    while group:
        process, diagnostics, with_clippy = await compile_crate(job_dir, group, written, edition, ctx, clippy)
        for item in group:
            item.compile_ms += process.wall_ms / len(group)
        timed_out = process.timed_out
        log.debug(
            "batch compiled",
            slot=slot,
            members=len(group),
            shared=sum(item.module.shared is not None for item in group),
            wall_ms=round(process.wall_ms),
            returncode=process.returncode,
            errors=len(diagnostics.errors),
            timed_out=timed_out,
        )
        if process.returncode == 0 and not timed_out and (job_dir / BINARY_NAME).is_file():
            await run_harness(group, job_dir, ctx, slot, diagnostics if with_clippy else None, outcome)
            return
        if not timed_out and (failure := diagnostics.environmental_failure()):
            raise ToolchainError(failure)
        if not timed_out and (back := unshared(diagnostics, group, sharing.unshareable)):
            for position in back:
                own_tests(group[position])
            continue  # rebuilt with their own tests: what else this build reported, the next one reports again
        per_member, isolate = ({}, set()) if timed_out else attribute(diagnostics, group)
        if not per_member and not isolate:
            if len(group) == 1 or (timed_out and len(group) <= ISOLATE_AT_MOST):
                why: IsolationReason = "compile timeout in its batch" if timed_out else "unattributable compile failure"
                outcome.isolate.extend((item, why) for item in group)
            else:
                middle = len(group) // 2
                groups.extend([group[:middle], group[middle:]])
            return
        keep: list[BatchItem] = []
        for position, item in enumerate(group):
            if position in isolate:
                outcome.isolate.append((item, "compile error the batch cannot attribute"))
            elif position in per_member:
                judged = compile_failure(item, per_member[position], with_clippy=with_clippy)
                (failed_beside_others if len(group) > 1 else outcome.judged).append((item, judged))
            else:
                keep.append(item)
        group = keep


# runs the compiler (its argv: the positional parameters) in every member dir, in turn, keeping its exit status
_EACH_ALONE = 'for d in m*/; do (cd "$d" && "$@" 2>stderr; echo "$?" >status); done'


async def _compile_each_alone(
    group: list[BatchItem], job_dir: Path, edition: str, ctx: JobContext, clippy: bool, outcome: BatchOutcome
) -> list[BatchItem]:
    """Members whose brackets do not close stop rustc at their file, so a batch of them would take a compile
    per member anyway. Each is compiled as a one-member batch crate — the crate the batch loop ends with for it —
    all in one jail (one sandbox start instead of one per member); a member's errors are its verdict, as in
    the loop. What is not judged so (it compiled after all, or gave nothing attributable) is returned for the
    loop."""
    for position, item in enumerate(group):
        member_dir = job_dir / f"m{position}"
        member_dir.mkdir(mode=0o755, parents=True)
        write_batch_crate(member_dir, [item])
    argv, with_clippy = compiler_argv(ctx, clippy)
    budget = batch_compile_budget(ctx.options.compile_budget, 1)
    limits = Limits(cpu_seconds=budget, address_space=ctx.options.compile_memory * 2, file_size=BATCH_COMPILE_FILE_SIZE)
    command = ["/bin/sh", "-c", _EACH_ALONE, "sh", *argv, *batch_compiler_args(edition, ctx.cache)]
    process = await run_limited(
        ctx.sandbox.compile_argv(command, job_dir, limits),
        cwd=job_dir,
        env=ctx.sandbox.environment(job_dir),
        wall_timeout=wall_backstop(budget) * len(group),
        output_cap=BATCH_COMPILE_OUTPUT_CAP,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    rest: list[BatchItem] = []
    for position, item in enumerate(group):
        item.compile_ms += process.wall_ms / len(group)
        member_dir = job_dir / f"m{position}"
        status = (member_dir / "status").read_text().strip() if (member_dir / "status").is_file() else ""
        failed = status not in ("", "0")  # ran, and did not compile ("": the jail ended before its turn)
        stderr = (member_dir / "stderr").read_bytes()[:BATCH_COMPILE_OUTPUT_CAP] if failed else b""
        diagnostics = parse_diagnostics(stderr)
        if failed and (failure := diagnostics.environmental_failure()):
            raise ToolchainError(failure)
        per_member, isolate = attribute(diagnostics, [item]) if failed else ({}, set())
        if isolate:
            outcome.isolate.append((item, "compile error the batch cannot attribute"))
        elif per_member:
            outcome.judged.append((item, compile_failure(item, per_member[0], with_clippy=with_clippy)))
        else:
            rest.append(item)
    log.debug(
        "unclosed members compiled alone",
        members=len(group),
        judged=len(group) - len(rest),
        wall_ms=round(process.wall_ms),
    )
    return rest
