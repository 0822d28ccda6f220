"""The evaluator: an anyio task group streams samples through a bounded pool of workers."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
import structlog

from sigil_eval.cargo_cache import resolve_toolchain, warm
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.errors import InfraError, SigilError
from sigil_eval.metrics.report import DEFAULT_KS, build_report
from sigil_eval.options import EvalOptions
from sigil_eval.problemsets import ProblemSet, load_problem_set, problem_set_from_rows
from sigil_eval.records import Rejection, Report, Result, Sample
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.isolated import evaluate_isolated
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits, make_sandbox
from sigil_eval.samples import sample_from_object

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
        self._free_slots = list(range(self.options.workers))
        self._limiter = anyio.Semaphore(self.options.workers)

    @property
    def context(self) -> JobContext:
        if self._ctx is None:
            raise RuntimeError("use `async with Evaluator(...)` before evaluating")
        return self._ctx

    async def __aenter__(self) -> Evaluator:
        opts = self.options
        toolchain = await resolve_toolchain()
        if opts.clippy == "required" and toolchain.clippy_driver is None:
            raise InfraError(
                "--clippy required, but clippy-driver is not in the toolchain (rustup component add clippy)"
            )
        cache = await warm(toolchain, opts.cache_dir)
        sandbox = make_sandbox(
            opts.sandbox,
            allow_no_sandbox=opts.allow_no_sandbox or opts.sandbox == "none",
            visible=[toolchain.sysroot, cache.deps_dir],
        )
        if opts.require_sandbox and sandbox.kind == "none":
            raise InfraError("--require-sandbox: no sandbox available", error_type="infra_sandbox")
        scratch = Path(tempfile.mkdtemp(prefix="sigil-eval-"))
        os.chmod(scratch, 0o711)  # test binaries run as other uids and must reach their job dir
        self._ctx = JobContext(toolchain=toolchain, cache=cache, sandbox=sandbox, options=opts, scratch_root=scratch)
        try:
            await self._check_sandbox()
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._ctx is not None and not self.options.keep_scratch:
            shutil.rmtree(self._ctx.scratch_root, ignore_errors=True)

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
            raise InfraError(f"sandbox ({ctx.sandbox.kind}) cannot run rustc: {detail[0]}", error_type="infra_sandbox")
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

        async for result in self.results_indexed(indexed()):
            yield result

    async def results_indexed(self, items: AsyncIterable[tuple[int, Sample | Rejection]]) -> AsyncIterator[Result]:
        """Like `results`, for callers that number their own inputs (the CLI numbers file lines)."""
        send, receive = anyio.create_memory_object_stream[Result](max_buffer_size=self.options.workers * 4)

        async def judge(index: int, sample: Sample, slot: int) -> None:
            try:
                problem = self.problem_set.problems[sample.task_id]
                result = await evaluate_isolated(problem, sample, index, slot, self.context)
                await send.send(result)
            finally:
                self._free_slots.append(slot)
                self._limiter.release()

        async def feed() -> None:
            async with send, anyio.create_task_group() as group:
                async for index, item in items:
                    if isinstance(item, Rejection):
                        self.rejections.append(item)
                        continue
                    await self._limiter.acquire()
                    group.start_soon(judge, index, item, self._free_slots.pop())

        async with anyio.create_task_group() as group:
            group.start_soon(feed)
            async with receive:
                async for result in receive:
                    yield result


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
        sandbox=ctx.sandbox.kind,
        clippy=evaluator.options.clippy if ctx.toolchain.clippy_driver else "missing",
        elapsed_s=round(elapsed, 3),
        samples_per_s=round(len(results) / elapsed, 3) if elapsed > 0 else 0.0,
    )
