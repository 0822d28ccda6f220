"""Rust-side batching: many samples in one crate, compiled once, tested by one forking harness.

share   ─ ≥ 2 samples of a problem that may share its tests (`program.shared_tests`) ─▶ its tests compiled once
unclosed ─ a batch of samples whose brackets do not close (rustc stops at the first such file) ─▶ each compiled
        as a crate of its own, all in one jail: its errors are its verdict; one that compiles joins the rest
compile ─ error in a shared tests module or in a sample's shims ─▶ those samples take their own tests; rebuild
        ─ errors attributed by primary-span file ─▶ those samples are compile errors; rebuild the rest
        ─ error in the generated root ─▶ that sample goes isolated
        ─ nothing attributable (ICE, link error, OOM) ─▶ split in halves; a singleton goes isolated
        ─ timeout (a tight budget, see `batch_compile_budget`) ─▶ split in halves; ≤ 8 members go isolated
run     ─ one forked child per sample (see harness.rs) ─▶ one record per sample; a missing one goes isolated
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import structlog

from sigil_eval.cargo_cache import WarmCache
from sigil_eval.cargo_cache.warm import HARNESS_CRATES, SAMPLE_CRATES
from sigil_eval.errors import SandboxError, ToolchainError
from sigil_eval.options import wall_backstop
from sigil_eval.program.assemble import Program
from sigil_eval.program.oracle import ORACLE_MODULE, ORACLE_RS
from sigil_eval.program.shared_tests import SharedTests, shared_tests, shares
from sigil_eval.records import Problem, Result
from sigil_eval.runner.batch_source import (
    WRAPPER_HEAD_LINES,
    BatchModule,
    member_at_root_line,
    module_name,
    root_source,
    shared_batch_module,
)
from sigil_eval.runner.code_size import BATCH_OWNER, own_code_sizes
from sigil_eval.runner.compile import compiler_argv, run_compiler
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import Diagnostics, lint_names, parse_diagnostics
from sigil_eval.runner.harness_protocol import UID_SWITCH_FAILED, harness_settings, parse_records
from sigil_eval.runner.isolated import IsolatedItem
from sigil_eval.runner.limits import (
    BATCH_COMPILE_FILE_SIZE,
    BATCH_COMPILE_OUTPUT_CAP,
    CHILDREN_PER_HARNESS,
    HARNESS_CPU_SECONDS,
    HARNESS_OUTPUT_CAP,
    TEST_FILE_SIZE,
    harness_uid_base,
)
from sigil_eval.runner.outcome import SampleOutcome
from sigil_eval.runner.process import ProcessOutcome, run_limited
from sigil_eval.runner.results import fresh_result
from sigil_eval.runner.route import may_reach_neighbours
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.seal import seal_job_dir
from sigil_eval.runner.verdict import judge_record

log = structlog.get_logger("sigil_eval")

ROOT_NAME = "main.rs"
BINARY_NAME = "prog"
BATCH_BUDGET_BASE = 1.0  # CPU seconds
BATCH_BUDGET_PER_MEMBER = 0.05
# a group this small that runs out of time is judged member by member (a few ~0.2 s isolated compiles) rather
# than bisected further (a whole CPU second at least per level: RLIMIT_CPU counts in seconds)
ISOLATE_AT_MOST = 8


@dataclass(slots=True)
class BatchItem:
    problem: Problem
    program: Program
    module: BatchModule  # with its own tests, or shims to its problem's shared tests (`own` keeps the former)
    result: Result  # pre-filled: ids, completion, main_free
    syntax_error: bool = False  # brackets that do not close stop rustc: batched apart (see `route`)
    name: str = ""  # its module's name (`s12`) in the batch crate being judged: kept through the rebuilds
    compile_ms: float = 0.0
    own: BatchModule | None = None  # its own-tests module, while `module` runs the shared tests

    @property
    def index(self) -> int:
        return self.result.sample_index

    def alone(self, why: str) -> IsolatedItem:
        """This member as a sample to judge on its own, with a fresh result record."""
        return IsolatedItem(self.problem, self.program, fresh_result(self.result), why=why)


@dataclass(slots=True)
class BatchOutcome:
    judged: list[tuple[BatchItem, SampleOutcome]] = field(default_factory=list)
    isolate: list[tuple[BatchItem, str]] = field(default_factory=list)  # and why the batch could not judge it


def batch_compiler_args(edition: str, cache: WarmCache) -> list[str]:
    """rustc's (or clippy-driver's) arguments for a batch crate written by `write_batch_crate`."""
    return [
        *("--edition", edition, "--crate-name", "prog", "--crate-type", "bin", "--cfg", "test"),
        *("-C", "opt-level=0", "-C", "debuginfo=0", "--error-format=json"),
        *cache.extern_args((*SAMPLE_CRATES, *HARNESS_CRATES)),
        *(ROOT_NAME, "-o", BINARY_NAME),
    ]


SHARED_JUDGE = "batch: shared tests"  # `judged_by` of a sample judged with its problem's shared tests
MIN_SHARING = 2  # samples of a problem in one batch for its tests to be shared: one alone gains nothing
# shared tests modules that did not compile: those problems' samples keep their own tests from then on
_unshareable: set[str] = set()


def share_tests(items: list[BatchItem], prelude: bool) -> None:
    """Give the members that may share their problem's tests (at least MIN_SHARING of a problem) shim modules."""
    candidates: dict[str, list[tuple[BatchItem, SharedTests]]] = {}
    for item in items:
        if item.syntax_error or item.own is not None or not (item.module.wrapper or item.module.main_style):
            continue
        shared = shared_tests(item.problem, prelude)
        if shared is None or shared.module_name in _unshareable or not shares(shared, item.program):
            continue
        candidates.setdefault(shared.module_name, []).append((item, shared))
    for members in candidates.values():
        if len(members) < MIN_SHARING:
            continue
        for item, shared in members:
            item.own = item.module
            item.module = shared_batch_module(item.program, item.module, shared)


def _judge(item: BatchItem) -> str:
    return "batch" if item.module.shared is None else SHARED_JUDGE


def _own_tests(item: BatchItem) -> None:
    if item.own is not None:
        item.module, item.own = item.own, None


def write_batch_crate(job_dir: Path, members: list[BatchItem], written: dict[str, str] | None = None) -> None:
    """The crate's files: one module per member (named by its position unless it has a name), the shared tests
    modules, the generated root; the oracle is copied in once per job dir (the harness is a prebuilt crate, see
    `cargo_cache`). `written` (file name → text) is what an earlier build of the same job dir wrote: a rebuild
    writes only what changed — the root, and the modules of members that took their own tests — since creating
    files is no longer cheap on a busy ext4; files of members dropped since are left, the root declares them no
    more."""
    written = {} if written is None else written
    files: dict[str, str] = {}
    for position, item in enumerate(members):
        item.name = item.name or module_name(position)
        files[f"{item.name}.rs"] = item.module.text
        if item.module.shared is not None:
            files[f"{item.module.shared.module_name}.rs"] = item.module.shared.text
    files[ROOT_NAME] = root_source(_listing(members))
    for name, text in files.items():
        if written.get(name) != text:
            (job_dir / name).write_text(text)
            written[name] = text
    if not (job_dir / f"{ORACLE_MODULE}.rs").exists():
        shutil.copyfile(ORACLE_RS, job_dir / f"{ORACLE_MODULE}.rs")


async def _compile(
    job_dir: Path, members: list[BatchItem], written: dict[str, str], edition: str, ctx: JobContext, clippy: bool
) -> tuple[ProcessOutcome, Diagnostics, bool]:
    write_batch_crate(job_dir, members, written)
    args = batch_compiler_args(edition, ctx.cache)
    budget = batch_compile_budget(ctx.options.compile_budget, len(members))
    return await run_compiler(
        job_dir,
        args,
        ctx,
        clippy=clippy,
        budget=budget,
        address_space=ctx.options.compile_memory * 2,
        file_size=BATCH_COMPILE_FILE_SIZE,
        output_cap=BATCH_COMPILE_OUTPUT_CAP,
    )


def batch_compile_budget(sample_budget: float, members: int) -> float:
    """CPU seconds for compiling a batch: a clean member costs ~15 ms (20 with clippy), so a few times that,
    plus the compiler's fixed cost, is plenty. Tight on purpose: a batch that runs out is bisected, each half
    under its own budget, down to a few members, which go to the isolated path, where each gets the whole
    per-sample budget. One slow sample then costs a few short compiles, not its whole batch going isolated."""
    return min(sample_budget, BATCH_BUDGET_BASE) + BATCH_BUDGET_PER_MEMBER * members


def _unshared(diagnostics: Diagnostics, members: list[BatchItem]) -> set[int]:
    """The members running shared tests that must take their own: every user of a shared tests module with an
    error in it (the problem is then marked unshareable), and each member with an error in its shims or at
    its lines of the root. Such an error comes from sharing, never from the sample: it is no verdict."""
    listing = _listing(members)
    back: set[int] = set()
    for error in diagnostics.errors:
        for file_name, line, _ in error.primary_lines:
            name = Path(file_name).name
            if name.startswith("__sigil_shared_"):
                broken = name.removesuffix(".rs")
                _unshareable.add(broken)
                back |= {position for position, item in enumerate(members) if _named(item, broken)}
            elif name == ROOT_NAME:
                member = member_at_root_line(line, listing)
                if member is not None and members[member].own is not None:
                    back.add(member)
            elif (position := _member_of(name, members)) is not None:
                module = members[position].module
                if module.shared is not None and line >= module.shim_line:
                    back.add(position)
    return back


def _named(item: BatchItem, module_name: str) -> bool:
    return item.module.shared is not None and item.module.shared.module_name == module_name


def _member_of(file_name: str, members: list[BatchItem]) -> int | None:
    """The position in `members` of the member whose module file this is (`s12.rs`), or None."""
    return next((position for position, item in enumerate(members) if f"{item.name}.rs" == file_name), None)


def _attribute(diagnostics: Diagnostics, members: list[BatchItem]) -> tuple[dict[int, Diagnostics], set[int]]:
    """Errors per member position, and the members to isolate: those with an error located in the
    generated root (at their `mod` line or harness entry) or a clippy-coded error (rustc must decide)."""
    listing = _listing(members)
    per_member: dict[int, Diagnostics] = {}
    isolate: set[int] = set()
    for error in diagnostics.errors:
        for file_name, line, _ in error.primary_lines:
            name = Path(file_name).name
            if name == ROOT_NAME:
                if (member := member_at_root_line(line, listing)) is not None:
                    isolate.add(member)
                continue
            position = _member_of(name, members)
            if position is None:
                continue
            if error.is_clippy:
                isolate.add(position)
            else:
                # as the isolated path would show it: the sample's program is its `src.rs`
                located = replace(error, rendered=error.rendered.replace(name, "src.rs"))
                per_member.setdefault(position, Diagnostics()).items.append(located)
    return per_member, isolate


def _listing(members: list[BatchItem]) -> list[tuple[str, int, BatchModule]]:
    return [(item.name, item.index, item.module) for item in members]


async def run_batch(items: list[BatchItem], ctx: JobContext, slot: int) -> BatchOutcome:
    """Judge `items` (same edition) as batches; what cannot be judged here comes back in `isolate`."""
    outcome = BatchOutcome()
    if ctx.options.share_tests:
        share_tests(items, ctx.options.prelude)
    groups = [items]
    while groups:
        group = groups.pop()
        job_dir = ctx.scratch_root / f"b{slot}-{secrets.token_hex(4)}"
        job_dir.mkdir(mode=0o755)
        try:
            await _judge_group(group, job_dir, ctx, slot, outcome, groups)
        finally:
            if not ctx.options.keep_scratch:
                shutil.rmtree(job_dir, ignore_errors=True)
    return outcome


async def _judge_group(
    group: list[BatchItem],
    job_dir: Path,
    ctx: JobContext,
    slot: int,
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
        await _compile_and_run(group, job_dir, ctx, slot, outcome, groups, failed, clippy=clippy, edition=edition)
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
    outcome: BatchOutcome,
    groups: list[list[BatchItem]],
    failed_beside_others: list[tuple[BatchItem, SampleOutcome]],
    *,
    clippy: bool,
    edition: str,
) -> None:
    written: dict[str, str] = {}
    while group:
        process, diagnostics, with_clippy = await _compile(job_dir, group, written, edition, ctx, clippy)
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
            await _run_harness(group, job_dir, ctx, slot, diagnostics if with_clippy else None, outcome)
            return
        if not timed_out and (failure := diagnostics.environmental_failure()):
            raise ToolchainError(failure)
        if not timed_out and (back := _unshared(diagnostics, group)):
            for position in back:
                _own_tests(group[position])
            continue  # rebuilt with their own tests: what else this build reported, the next one reports again
        per_member, isolate = ({}, set()) if timed_out else _attribute(diagnostics, group)
        if not per_member and not isolate:
            if len(group) == 1 or (timed_out and len(group) <= ISOLATE_AT_MOST):
                why = "compile timeout in its batch" if timed_out else "unattributable compile failure"
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
                judged = SampleOutcome(
                    judged_by=_judge(item),
                    compile_ms=item.compile_ms,
                    compile_errors=per_member[position],
                    clippy_clean=False if with_clippy else None,
                )
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
        per_member, isolate = _attribute(diagnostics, [item]) if failed else ({}, set())
        if isolate:
            outcome.isolate.append((item, "compile error the batch cannot attribute"))
        elif per_member:
            judged = SampleOutcome(
                judged_by=_judge(item),
                compile_ms=item.compile_ms,
                compile_errors=per_member[0],
                clippy_clean=False if with_clippy else None,
            )
            outcome.judged.append((item, judged))
        else:
            rest.append(item)
    log.debug(
        "unclosed members compiled alone",
        members=len(group),
        judged=len(group) - len(rest),
        wall_ms=round(process.wall_ms),
    )
    return rest


async def _run_harness(
    group: list[BatchItem],
    job_dir: Path,
    ctx: JobContext,
    slot: int,
    clippy_diagnostics: Diagnostics | None,
    outcome: BatchOutcome,
) -> None:
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
            judged_by=_judge(item),
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
            judged.run_output = output if shared is None else _as_own_lines(output, shared, tests_line)
        outcome.judged.append((item, judged))


def _as_own_lines(output: str, shared: SharedTests, tests_line: int) -> str:
    """A run's output with the shared tests' locations (`__sigil_shared_….rs:40:9`) as the sample's own tests
    would show them (`src.rs:12:9`): the tests are the same lines, from its `tests_line` on."""

    def located(match: re.Match[str]) -> str:
        line = int(match.group(1))
        if line < shared.first_test_line:
            return match.group(0)
        return f"src.rs:{line - shared.first_test_line + tests_line}:"

    return re.sub(rf"\b{shared.module_name}\.rs:(\d+):", located, output)
