"""The evaluator: samples in, verdicts out, through one pipeline.

    sample ─ policy ─ assemble ─ verdict reuse (store, duplicates) ─ route ─▶ Scheduler ─ jobs ─▶ Executor
                                                                                   ◀─ results ─┘

`Evaluator` owns the order of these steps and nothing of their insides: the verdict store (`verdict_store`),
routing (`runner.route`), the scheduler (`scheduling`) and the executor behind the job seam (`runner.jobs`) are
each their own module. The evaluator knows the machine that judges only through the executor's `JudgeSetup`.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sized
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
import msgspec
import structlog
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from sigil_eval.cargo_cache import default_cache_root
from sigil_eval.datasets.humaneval.build import built_set_path
from sigil_eval.datasets.humaneval.plus.apply import PlusSummary
from sigil_eval.engine.plus_inputs import plus_problem_set
from sigil_eval.engine.scheduling import READ_AHEAD_PER_WORKER, Scheduler
from sigil_eval.engine.stalls import StallWatch
from sigil_eval.engine.verdict_store import Following, VerdictReuse, VerdictStore
from sigil_eval.errors import SigilError
from sigil_eval.extras import require_extra
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set, problem_set_from_rows
from sigil_eval.inputs.samples import sample_from_object
from sigil_eval.metrics.report import DEFAULT_KS, Tally
from sigil_eval.options import EvalOptions
from sigil_eval.program.assemble import Program, assemble
from sigil_eval.records import Rejection, Report, Result, RunSetting, RunStats, Sample
from sigil_eval.runner.jobs import BatchItem, Executor, IsolatedItem, JudgeSetup
from sigil_eval.runner.local import LocalExecutor
from sigil_eval.runner.results import base_result, finish, policy_failure
from sigil_eval.runner.route import route

ProblemsArg = ProblemSet | str | os.PathLike[str] | Mapping[str, Mapping[str, Any]] | None
SamplesArg = Iterable[Sample | Mapping[str, Any]] | AsyncIterable[Sample | Mapping[str, Any]]
ASSEMBLED_KEPT = 4096
log = structlog.get_logger("sigil_eval")


def resolve_problems(problems: ProblemsArg, *, prelude: bool = True) -> ProblemSet:
    if isinstance(problems, ProblemSet):
        return problems
    if problems is None:
        return load_problem_set(built_set_path(), prelude=prelude)
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


def default_verdict_store(cache_root: Path | None) -> Path:
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
    """`async with Evaluator(problems, workers=2) as ev: async for result in ev.results(stream): …`

    `executor` replaces where jobs run (default: `options.backend`, this machine's worker slots or a Ray
    cluster's); the evaluator uses one it is given, and closes only one it opened."""

    def __init__(
        self,
        problems: ProblemsArg = None,
        options: EvalOptions | None = None,
        *,
        executor: Executor | None = None,
        **overrides: Any,
    ) -> None:
        base = options or EvalOptions()
        self.options = msgspec.structs.replace(base, **overrides).validate()
        self.problem_set = resolve_problems(problems, prelude=self.options.prelude)
        self.rejections: list[Rejection] = []
        self.plus: PlusSummary | None = None  # `tests="plus"`: what the plus inputs added (set when opened)
        self.stats = RunStats()
        self._executor = executor
        self._opened: Executor | None = None  # the executor this evaluator opened (and closes), not one it was given
        self._setup: JudgeSetup | None = None
        self._tasks: TaskGroup | None = None
        self._reuse: VerdictReuse | None = None
        self._stalls = StallWatch(self.options.stall_warning)
        # a pass@k or RL file repeats answers: each distinct (task, completion) is assembled once
        self._assemble = lru_cache(maxsize=ASSEMBLED_KEPT)(self._assemble_uncached)

    @property
    def executor(self) -> Executor:
        """The executor judging this run's jobs (while the evaluator is open)."""
        if self._executor is None or self._tasks is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._executor

    @property
    def judge_setup(self) -> JudgeSetup:
        """What this run judges with (toolchain, sandbox), as its executor reported it on opening."""
        if self._setup is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._setup

    @property
    def verdict_settings(self) -> dict[str, Any]:
        """What besides the sample decides its verdict in this run (see `fingerprint`)."""
        return self.judge_setup.verdict_settings

    @property
    def setting(self) -> RunSetting:
        """What this run judges with, as the report's header shows it."""
        setup = self.judge_setup
        return RunSetting(
            rustc_version=setup.rustc_version,
            problem_set=self.problem_set.name,
            problem_set_sha256=self.problem_set.sha256,
            prelude_applied=self.problem_set.prelude_applied,
            oracle_problems=len(self.problem_set.problems) - len(self.problem_set.in_process),
            mode=self.options.mode,
            sandbox=setup.sandbox,
            clippy=self.options.clippy if setup.clippy_available else "missing",
            tests=self.options.tests,
            plus_problems=self.plus.problems if self.plus else 0,
            plus_cases=self.plus.cases if self.plus else 0,
        )

    async def __aenter__(self) -> Evaluator:
        try:
            if self._executor is None:
                self._executor = self._opened = await self._open_executor()
            self._setup = self._executor.setup
            if self.options.tests != "base" and self.plus is None:
                self.problem_set, self.plus = await plus_problem_set(self.problem_set, self._executor, self.options)
                log.info("plus tests", summary=self.plus.line())
            if self.options.reuse_verdicts:
                store = VerdictStore(self.options.verdict_store or default_verdict_store(self.options.cache_dir))
                self._reuse = VerdictReuse(store, self._setup.verdict_settings, self.stats)
            # the evaluator's work runs in a task group of its own lifetime, never in a consumer's generator
            self._tasks = anyio.create_task_group()
            await self._tasks.__aenter__()
        except BaseException:
            await self._release()
            raise
        return self

    async def _open_executor(self) -> Executor:
        """The executor `options.backend` names: this machine's (it opens the toolchain, crate cache and sandbox
        here) or a Ray cluster's (whose nodes open their own)."""
        if self.options.backend == "local":
            return await LocalExecutor.open(self.options)
        require_extra("ray", "--backend ray")
        from sigil_eval.distributed.ray_executor import RayExecutor

        executor = RayExecutor(self.options, self.options.ray_address)
        try:
            await executor.start()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await executor.aclose()
            raise
        return executor

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
            await self._release()

    async def _release(self) -> None:
        """Close what `__aenter__` opened: the executor (a local one's scratch space), the verdict store."""
        if self._opened is not None:
            with anyio.CancelScope(shield=True):
                await self._opened.aclose()
            self._opened = self._executor = None  # a second `async with` opens another
        if self._reuse is not None:
            self._reuse.close()

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
        known, evens batches out so that every worker gets the same share. Input is read only a bounded
        distance ahead of the verdicts (`READ_AHEAD_PER_WORKER` per slot of the executor)."""
        # the executor's capacity, not this process's workers: a 2-CPU driver of a 96-slot Ray cluster must read
        # far enough ahead to keep every slot busy
        capacity = self.executor.capacity
        send, receive = anyio.create_memory_object_stream[Result](max_buffer_size=capacity * 4)
        run = anyio.CancelScope()  # this run's work: cancelled when its consumer stops, early or not
        watch = anyio.CancelScope()
        read_ahead = anyio.Semaphore(READ_AHEAD_PER_WORKER * capacity)
        self.tasks.start_soon(self._feed, items, total, send, run, read_ahead)
        self.tasks.start_soon(self._watch_stalls, watch)
        try:
            async with receive:
                async for result in receive:
                    self._stalls.finished(result.sample_index)
                    for settled in self._reuse.settle(result) if self._reuse else [result]:
                        read_ahead.release()
                        problem = self.problem_set.problems.get(settled.task_id)
                        if settled.base_passed is None and problem is not None and problem.plus_from is not None:
                            settled.base_passed = settled.passed  # failed before any case ran: so did the base
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
        read_ahead: anyio.Semaphore,
    ) -> None:
        """Prepare each item and hand it to the scheduler. It runs in the evaluator's task group, not inside the
        consumer's generator, so a consumer that stops early leaves no task group open."""
        assert self._executor is not None
        scheduler = Scheduler(self._executor, self.options, self.stats, self._stalls)
        with run:
            try:
                async with send, anyio.create_task_group() as group:
                    routed_send, routed = anyio.create_memory_object_stream[BatchItem | IsolatedItem]()
                    group.start_soon(scheduler.run, routed, total, send.clone())
                    async with routed_send:
                        async for index, item in items:
                            if isinstance(item, Rejection):
                                self.rejections.append(item)
                                continue
                            await read_ahead.acquire()
                            prepared = self._prepare(index, item)
                            if isinstance(prepared, Result):
                                await send.send(prepared)
                            elif not isinstance(prepared, Following):
                                await routed_send.send(prepared)
            except* (anyio.BrokenResourceError, anyio.ClosedResourceError):
                pass  # the consumer stopped reading: there is no one left to judge for

    def _assemble_uncached(self, task_id: str, completion: str) -> Program:
        return assemble(self.problem_set.problems[task_id], completion)

    def _prepare(self, index: int, sample: Sample) -> Result | BatchItem | IsolatedItem | Following:
        """A final Result (refused by policy, no code, a stored verdict), a job member (BatchItem or
        IsolatedItem), or FOLLOWING when a sample of this run with the same program is being judged."""
        problem = self.problem_set.problems[sample.task_id]
        oracle_proof = bool(problem.cases) and self.judge_setup.values_kept_out
        result = base_result(sample, index, oracle_proof=oracle_proof, cases=len(problem.cases) or None)
        if self.options.policy and (refused := policy_failure(problem, sample, result)):
            return refused
        program = self._assemble(sample.task_id, sample.completion)
        if program.no_code:  # nothing to compile: the answer is prose or empty (the raw answer stays in the result)
            return finish(result, "no_code", "the answer holds no code")
        if self._reuse is not None and (reused := self._reuse.claim(problem, program.source, result)) is not None:
            return reused
        where = route(problem, program, self.options.mode)
        if where.module is None:
            if where.alone:
                self.stats.route(where.alone)
            return IsolatedItem(problem, program, result, why=where.alone)
        return BatchItem(
            problem=problem, program=program, module=where.module, result=result, syntax_error=where.syntax_error
        )


async def evaluate(
    samples: SamplesArg, problems: ProblemsArg = None, *, ks: Iterable[int] = DEFAULT_KS, **options: Any
) -> Report:
    """Evaluate samples (any iterable or async iterable) and return the Report.

    Raises InfraError when the machine cannot evaluate; a sample never raises.
    """
    started = time.perf_counter()
    tally = Tally()
    try:
        async with Evaluator(problems, **options) as evaluator:
            async for result in evaluator.results(samples):
                tally.add(result)
    except BaseExceptionGroup as group:
        raise (first_sigil_error(group) or group) from None
    return tally.report(
        evaluator.rejections,
        ks=tuple(ks),
        setting=evaluator.setting,
        stats=evaluator.stats,
        elapsed_s=time.perf_counter() - started,
    )
