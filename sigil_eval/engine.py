"""The evaluator: an anyio task group streams samples through a bounded pool of workers."""

from __future__ import annotations

import os
import random
import secrets
import shutil
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sized
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
import structlog
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from sigil_eval.assemble import assemble
from sigil_eval.cargo_cache import default_cache_root, resolve_toolchain, warm
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.errors import SandboxError, SigilError, ToolchainError
from sigil_eval.fingerprint import verdict_settings
from sigil_eval.metrics.report import DEFAULT_KS, build_report
from sigil_eval.options import EvalOptions
from sigil_eval.problemsets import ProblemSet, load_problem_set, problem_set_from_rows
from sigil_eval.records import AGREED_FIELDS, Rejection, Report, Result, Sample
from sigil_eval.runner.batch_source import batch_module
from sigil_eval.runner.batched import BatchItem, run_batch
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.isolated import IsolatedItem, evaluate_isolated
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.results import base_result, finish, fresh_result, policy_failure
from sigil_eval.runner.route import has_syntax_error, isolation_reason
from sigil_eval.runner.sandbox import Limits, make_sandbox
from sigil_eval.samples import sample_from_object
from sigil_eval.scheduling import WorkerSlots, batch_limit, fill_batches
from sigil_eval.scratch import create_scratch
from sigil_eval.stalls import StallWatch
from sigil_eval.verdict_cache import VerdictCache, cache_key, copy_verdict

log = structlog.get_logger("sigil_eval")
ProblemsArg = ProblemSet | str | os.PathLike[str] | Mapping[str, Mapping[str, Any]] | None
SamplesArg = Iterable[Sample | Mapping[str, Any]] | AsyncIterable[Sample | Mapping[str, Any]]


def resolve_problems(problems: ProblemsArg, *, prelude: bool = True) -> ProblemSet:
    if isinstance(problems, ProblemSet):
        return problems
    if problems is None:
        return load_problem_set(get_human_eval_dataset(), prelude=prelude)
    if isinstance(problems, (str, os.PathLike)):
        return load_problem_set(problems, prelude=prelude)
    return problem_set_from_rows({k: dict(v) for k, v in problems.items()}, prelude=prelude)


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


class _Following:
    """Marker: the sample waits for the verdict of an identical program judged in this run."""


FOLLOWING = _Following()


def default_verdict_db(cache_root: Path | None) -> Path:
    if env := os.environ.get("SIGIL_EVAL_VERDICT_DB"):
        return Path(env)
    return (cache_root or default_cache_root()) / "verdicts.sqlite"


def first_sigil_error(exc: BaseException) -> SigilError | None:
    """The SigilError inside an exception group raised by a task group, if any."""
    if isinstance(exc, SigilError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if found := first_sigil_error(inner):
                return found
    return None


class Evaluator:
    """`async with Evaluator(problems, workers=2) as ev: async for result in ev.results(stream): …`"""

    def __init__(self, problems: ProblemsArg = None, options: EvalOptions | None = None, **overrides: Any) -> None:
        base = options or EvalOptions()
        self.options = EvalOptions(**{**_as_dict(base), **overrides}).validate()
        self.problem_set = resolve_problems(problems, prelude=self.options.prelude)
        self.rejections: list[Rejection] = []
        self._ctx: JobContext | None = None
        self._tasks: TaskGroup | None = None
        self._settings: dict[str, Any] | None = None
        self._slots = WorkerSlots(self.options.workers)
        self.routed: dict[str, int] = {}  # batched mode: why samples went to the isolated path
        self.syntax_batched = 0  # samples tree-sitter could not parse, judged in batches of their own
        self.verified = 0
        self.deduplicated = 0
        self._stalls = StallWatch(self.options.stall_warning)
        self._cache: VerdictCache | None = None
        self._keys: dict[int, str] = {}  # sample index → cache key, for samples being judged
        self._followers: dict[str, list[Result]] = {}  # cache key → samples waiting for that verdict
        self.verify_mismatches = 0
        self._rng = random.Random()  # picks the samples --verify-fraction re-judges alone

    @property
    def cache_hits(self) -> int:
        return self._cache.hits if self._cache is not None else 0

    @property
    def context(self) -> JobContext:
        if self._ctx is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._ctx

    @property
    def verdict_settings(self) -> dict[str, Any]:
        """What besides the sample decides its verdict in this run (see `fingerprint`); worked out once, when
        the context opens, not per sample."""
        if self._settings is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._settings

    async def __aenter__(self) -> Evaluator:
        opts = self.options
        toolchain = await resolve_toolchain()
        if opts.clippy == "required" and toolchain.clippy_driver is None:
            raise ToolchainError(
                "--clippy required, but clippy-driver is not in the toolchain (rustup component add clippy)"
            )
        cache = await warm(toolchain, opts.cache_dir)
        sandbox = make_sandbox(
            opts.sandbox,
            allow_no_sandbox=opts.allow_no_sandbox or opts.sandbox == "none",
            visible=[toolchain.sysroot, cache.deps_dir],
        )
        if opts.require_sandbox and sandbox.kind == "none":
            raise SandboxError("--require-sandbox: no sandbox available")
        if opts.cache:
            self._cache = VerdictCache(opts.verdict_db or default_verdict_db(opts.cache_dir))
        scratch = create_scratch()
        self._ctx = JobContext(toolchain=toolchain, cache=cache, sandbox=sandbox, options=opts, scratch_root=scratch)
        self._settings = verdict_settings(toolchain.version, sandbox.kind, opts)
        try:
            await self._check_sandbox()
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        # the evaluator's work runs in a task group of its own lifetime, never in a consumer's generator
        self._tasks = anyio.create_task_group()
        await self._tasks.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        try:
            if self._tasks is None:
                return None
            tasks, self._tasks = self._tasks, None
            return await tasks.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as failure:
            # callers catch our errors by type (an InfraError means exit 3), not groups of them
            if (ours := first_sigil_error(failure)) is not None:
                raise ours from None
            raise
        finally:
            if self._ctx is not None and not self.options.keep_scratch:
                shutil.rmtree(self._ctx.scratch_root, ignore_errors=True)
            if self._cache is not None:
                self._cache.close()

    async def _check_sandbox(self) -> None:
        """Start the sandbox once with the real compiler, so a broken jail fails the run, not every sample."""
        ctx = self.context
        probe = ctx.scratch_root / "probe"
        probe.mkdir(mode=0o755)
        limits = Limits(cpu_seconds=10, address_space=ctx.options.compile_memory, file_size=1 << 20)
        outcome = await run_limited(
            ctx.sandbox.compile_argv([str(ctx.toolchain.rustc), "-V"], probe, limits),
            cwd=probe,
            env=ctx.sandbox.environment(probe),
            wall_timeout=30,
        )
        if outcome.returncode != 0 or not outcome.stdout.startswith(b"rustc"):
            detail = outcome.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise SandboxError(f"sandbox ({ctx.sandbox.kind}) cannot run rustc: {detail[0]}")
        # and a test binary's way in: its jail and its own uid (a failure there would look like the sample's)
        outcome = await run_limited(
            ctx.sandbox.run_argv(["/bin/true"], probe, limits, slot=0),
            cwd=probe,
            env=ctx.sandbox.environment(probe),
            wall_timeout=30,
        )
        if outcome.returncode != 0:
            detail = outcome.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise SandboxError(
                f"sandbox ({ctx.sandbox.kind}) cannot start a test binary under its own uid: {detail[0]}",
            )
        shutil.rmtree(probe, ignore_errors=True)

    async def results(self, samples: SamplesArg) -> AsyncIterator[Result]:
        """Yield a Result per sample as each finishes (any order; `sample_index` is the input position).
        Items that cannot be samples are recorded in `self.rejections`."""

        async def indexed() -> AsyncIterator[tuple[int, Sample | Rejection]]:
            index = 0
            async for item in _aiter(samples):
                sample = sample_from_object(item, self.problem_set.problems)
                yield (
                    index,
                    (
                        Rejection(source="<samples>", line=index + 1, reason=sample)
                        if isinstance(sample, str)
                        else sample
                    ),
                )
                index += 1

        total = len(samples) if isinstance(samples, Sized) else None
        async for result in self.results_indexed(indexed(), total):
            yield result

    async def results_indexed(
        self, items: AsyncIterable[tuple[int, Sample | Rejection]], total: int | None = None
    ) -> AsyncIterator[Result]:
        """Like `results`, for callers that number their own inputs (the CLI numbers file lines). `total`, when
        known, evens batches out so that every worker gets the same share."""
        send, receive = anyio.create_memory_object_stream[Result](max_buffer_size=self.options.workers * 4)
        run = anyio.CancelScope()  # this run's work: cancelled when its consumer stops, early or not
        watch = anyio.CancelScope()
        self.tasks.start_soon(self._feed, items, total, send, run)
        self.tasks.start_soon(self._watch_stalls, watch)
        try:
            async with receive:
                async for result in receive:
                    self._stalls.finished(result.sample_index)
                    for settled in self._settle(result):
                        yield settled
        finally:
            run.cancel()
            watch.cancel()

    @property
    def tasks(self) -> TaskGroup:
        if self._tasks is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._tasks

    async def _watch_stalls(self, scope: anyio.CancelScope) -> None:
        with scope:
            await self._stalls.run()

    async def _feed(
        self,
        items: AsyncIterable[tuple[int, Sample | Rejection]],
        total: int | None,
        send: MemoryObjectSendStream[Result],
        run: anyio.CancelScope,
    ) -> None:
        """Prepare each item and hand it to a batch or an isolated job. It runs in the evaluator's task group,
        not inside the consumer's generator, so a consumer that stops early leaves no task group open."""
        with run:
            try:
                async with send, anyio.create_task_group() as group:
                    batch_send, batch_receive = anyio.create_memory_object_stream[BatchItem](
                        max_buffer_size=self.options.batch_size * (self.options.workers + 1)
                    )
                    if self.options.mode == "batched":
                        limit = batch_limit(total, self.options.batch_size, self.options.workers)
                        group.start_soon(self._batcher, batch_receive, group, send.clone(), limit)
                    else:
                        batch_receive.close()
                    async with batch_send:
                        async for index, item in items:
                            if isinstance(item, Rejection):
                                self.rejections.append(item)
                                continue
                            prepared = self._prepare(index, item)
                            if isinstance(prepared, Result):
                                await send.send(prepared)
                            elif isinstance(prepared, BatchItem):
                                await batch_send.send(prepared)
                            elif isinstance(prepared, IsolatedItem):
                                await self._start_isolated(group, prepared, send)
            except* (anyio.BrokenResourceError, anyio.ClosedResourceError):
                pass  # the consumer stopped reading: there is no one left to judge for

    def _settle(self, result: Result) -> list[Result]:
        """Store a fresh verdict in the cache and hand it to the samples of this run with the same program."""
        key = self._keys.pop(result.sample_index, None)
        if key is None or self._cache is None:
            return [result]
        self._cache.put(key, result)
        followers = self._followers.pop(key, [])
        self.deduplicated += len(followers)
        for follower in followers:
            copy_verdict(result, follower).judged_by = result.judged_by
        return [result, *followers]

    def _prepare(self, index: int, sample: Sample) -> Result | BatchItem | IsolatedItem | _Following:
        """A final Result (refused by policy, or a cached verdict), a BatchItem, an IsolatedItem, or FOLLOWING
        when a sample of this run with the same program is already being judged."""
        problem = self.problem_set.problems[sample.task_id]
        result = base_result(sample, index)
        if self.options.policy and (refused := policy_failure(problem, sample, result)):
            return refused
        program = assemble(problem, sample.completion)
        if program.no_code:  # nothing to compile: the answer is prose or empty (the raw answer stays in the result)
            return finish(result, "no_code", "the answer holds no code")
        if self._cache is not None:
            key = cache_key(self.verdict_settings, problem, program.source)
            if (hit := self._cache.get(key, result)) is not None:
                return hit
            if key in self._followers:
                self._followers[key].append(result)
                return FOLLOWING
            self._followers[key] = []
            self._keys[index] = key
        if self.options.mode == "isolated":
            return IsolatedItem(problem, program, result)
        reason = isolation_reason(problem, program)
        module = None if reason else batch_module(program, problem.test_style, f"sigil_{secrets.token_hex(8)}")
        if module is None:
            reason = reason or "tests the harness cannot drive"
            self.routed[reason] = self.routed.get(reason, 0) + 1
            return IsolatedItem(problem, program, result, why=reason)
        broken = has_syntax_error(program.source)
        return BatchItem(problem=problem, program=program, module=module, result=result, syntax_error=broken)

    async def _start_isolated(self, group: TaskGroup, item: IsolatedItem, send: MemoryObjectSendStream[Result]) -> None:
        slot = await self._slots.acquire()
        group.start_soon(self._isolated_job, item, slot, send.clone())

    async def _isolated_job(self, item: IsolatedItem, slot: int, send: MemoryObjectSendStream[Result]) -> None:
        async with send:
            self._stalls.started(item.index, item.result.task_id)
            try:
                result = await evaluate_isolated(item, slot, self.context)
            finally:
                self._slots.release(slot)
            await send.send(result)

    async def _verify(self, batched: Result, item: BatchItem, slot: int, send: MemoryObjectSendStream[Result]) -> None:
        """Re-judge a batched sample alone; on a mismatch say so loudly and report the isolated verdict."""
        async with send:
            alone_item = IsolatedItem(item.problem, item.program, fresh_result(batched), why="verification")
            try:
                alone = await evaluate_isolated(alone_item, slot, self.context)
            finally:
                self._slots.release(slot)
            self.verified += 1
            differing = [f for f in AGREED_FIELDS if getattr(alone, f) != getattr(batched, f)]
            if differing:
                self.verify_mismatches += 1
                log.error(
                    "batched verdict differs from the isolated one",
                    task_id=batched.task_id,
                    sample_index=batched.sample_index,
                    fields=",".join(differing),
                    batched=[getattr(batched, f) for f in differing],
                    isolated=[getattr(alone, f) for f in differing],
                )
                await send.send(alone)
            else:
                await send.send(batched)

    async def _batcher(
        self,
        receive: MemoryObjectReceiveStream[BatchItem],
        group: TaskGroup,
        send: MemoryObjectSendStream[Result],
        limit: int,
    ) -> None:
        async with send:
            await fill_batches(
                receive, limit, self.options.batch_wait, lambda items: self._start_batch(items, group, send)
            )

    async def _start_batch(
        self, items: list[BatchItem], group: TaskGroup, send: MemoryObjectSendStream[Result]
    ) -> None:
        by_kind: dict[tuple[str, bool], list[BatchItem]] = {}
        for item in items:
            by_kind.setdefault((item.problem.edition, item.syntax_error), []).append(item)
        for batch in by_kind.values():
            slot = await self._slots.acquire()
            group.start_soon(self._batch_job, batch, slot, group, send.clone())

    async def _batch_job(
        self, items: list[BatchItem], slot: int, group: TaskGroup, send: MemoryObjectSendStream[Result]
    ) -> None:
        async with send:
            for item in items:
                self._stalls.started(item.index, item.result.task_id)
            try:
                outcome = await run_batch(items, self.context, slot)
            finally:
                self._slots.release(slot)
            self.syntax_batched += sum(item.syntax_error for item in items)
            by_index = {item.index: item for item in items}
            for result in outcome.results:
                if self.options.verify_fraction and self._rng.random() < self.options.verify_fraction:
                    slot = await self._slots.acquire()
                    group.start_soon(self._verify, result, by_index[result.sample_index], slot, send.clone())
                else:
                    await send.send(result)
            for item, reason in outcome.isolate:
                self.routed[reason] = self.routed.get(reason, 0) + 1
                isolated = IsolatedItem(item.problem, item.program, fresh_result(item.result), why=reason)
                await self._start_isolated(group, isolated, send)


def _as_dict(options: EvalOptions) -> dict[str, Any]:
    return {name: getattr(options, name) for name in options.__struct_fields__}


async def evaluate(
    samples: SamplesArg, problems: ProblemsArg = None, *, ks: Iterable[int] = DEFAULT_KS, **options: Any
) -> Report:
    """Evaluate samples (any iterable or async iterable) and return the Report.

    Raises InfraError when the machine cannot evaluate; a sample never raises.
    """
    started = time.perf_counter()
    try:
        async with Evaluator(problems, **options) as evaluator:
            results = [result async for result in evaluator.results(samples)]
    except BaseExceptionGroup as group:
        raise (first_sigil_error(group) or group) from None
    results.sort(key=lambda r: r.sample_index)
    return report_for(evaluator, results, time.perf_counter() - started, ks=ks)


def report_for(
    evaluator: Evaluator, results: list[Result], elapsed: float, *, ks: Iterable[int] = DEFAULT_KS
) -> Report:
    ctx = evaluator.context
    return build_report(
        results,
        evaluator.rejections,
        ks=tuple(ks),
        rustc_version=ctx.toolchain.version,
        problem_set=evaluator.problem_set.name,
        problem_set_sha256=evaluator.problem_set.sha256,
        prelude_applied=evaluator.problem_set.prelude_applied,
        mode=evaluator.options.mode,
        routed_isolated=dict(evaluator.routed),
        syntax_batched=evaluator.syntax_batched,
        verified=evaluator.verified,
        cache_hits=evaluator.cache_hits,
        deduplicated=evaluator.deduplicated,
        verify_mismatches=evaluator.verify_mismatches,
        sandbox=ctx.sandbox.kind,
        clippy=evaluator.options.clippy if ctx.toolchain.clippy_driver else "missing",
        elapsed_s=round(elapsed, 3),
        samples_per_s=round(len(results) / elapsed, 3) if elapsed > 0 else 0.0,
    )
